"""The hand-written anchors of bench/ compute exactly what dpmkit computes, so that the
bench compares like with like."""

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from anchors import COLUMNS, reference_c, reference_numpy, reference_python  # noqa: E402
from reference_model import build  # noqa: E402

import dpmkit as dk  # noqa: E402

PARAMS = {"base_referrals": np.array([40.0, 61.5, 80.0]), "support_time": np.array([4.0, 6.0, 7.9]),
          "relapse_rate": np.array([0.01, 0.025, 0.04])}


@pytest.fixture(scope="module")
def ensemble():
    e = dk.ensemble(build(), samples=PARAMS)
    assert tuple(e.names) == COLUMNS
    return np.stack([e[c] for c in COLUMNS], axis=1)


def test_the_columns_are_the_models_recorded_variables():
    assert build().recorded == COLUMNS


def test_the_pure_python_anchor_gives_dpmkits_single_run():
    model = build()
    for k in range(3):
        params = {name: float(v[k]) for name, v in PARAMS.items()}
        expected = dk.simulate(model, params).to_frame()[list(COLUMNS)].to_numpy()
        got = reference_python.run(**params)
        assert got.shape == (481, 22)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert not np.allclose(reference_python.run(40.0), reference_python.run(80.0))


def test_the_numpy_anchor_gives_dpmkits_ensemble(ensemble):
    got = reference_numpy.run(PARAMS["base_referrals"], PARAMS["support_time"], PARAMS["relapse_rate"])
    assert got.shape == (481, 22, 3)
    np.testing.assert_allclose(got, ensemble, rtol=1e-12, atol=1e-12)


def test_the_c_anchor_gives_dpmkits_ensemble(ensemble):
    run, why = reference_c.load()
    if run is None:
        pytest.skip(why)
    got = run(PARAMS["base_referrals"], PARAMS["support_time"], PARAMS["relapse_rate"])
    np.testing.assert_allclose(got, ensemble, rtol=1e-12, atol=1e-12)
