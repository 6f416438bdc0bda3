"""A few runs (dk.compare's scenarios, a calibration's slopes, a room's ballots) are run as single
runs, one after another, rather than by the vectorised kernel: its cost per step, a numpy call per
operation, is larger than a few runs' own work (Surrey, 3 runs: about 78 ms vectorised against
6 ms one by one: docs/decisions.md, "Small ensembles are single runs"). These tests hold that
route to the single run and to the vectorised kernel."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import dpmkit as dk

sim = importlib.import_module("dpmkit.simulate")  # the module (dk.simulate is the function)


def _singles(model, ens, **options):
    """Each run of ``ens`` as dk.simulate runs it."""
    return [dk.simulate(model, {k: float(v[j]) for k, v in ens.samples.items()}, **options)
            for j in range(ens.values.shape[2])]


@pytest.mark.parametrize("name", ["demo", "surrey", "three_objectives"])
def test_a_few_runs_are_the_single_runs_to_the_bit(name):
    model = dk.models.load(name)
    ens = dk.ensemble(model, n=5, seed=2)
    assert ens.backend == "python"
    for j, run in enumerate(_singles(model, ens)):
        for k, variable in enumerate(ens.names):
            assert np.array_equal(ens.values[:, k, j], run[variable]), (variable, j)
    vector = dk.ensemble(model, n=5, seed=2, backend="numpy")  # the vectorised kernel, asked for
    assert vector.backend == "numpy"
    np.testing.assert_allclose(ens.values, vector.values, rtol=1e-9, atol=1e-9)  # last bits of EXP may differ


def test_recorded_subsets_rk4_and_events_per_run():
    model = dk.models.load("demo")
    record = ["staff", "waiting_list"]
    events = {24: {"staff_target": 20}}
    ens = dk.ensemble(model, samples={"staff_target": [10, 30, 25]}, record=record, method="rk4", events=events)
    assert ens.backend == "python" and ens.names == tuple(record)
    for j, start in enumerate([10, 30, 25]):
        run = dk.simulate(model, {"staff_target": start}, method="rk4", events=events)
        for k, variable in enumerate(record):
            assert np.array_equal(ens.values[:, k, j], run[variable])


def test_more_runs_than_the_bound_are_vectorised():
    model = dk.models.load("demo")
    n = sim.AUTO_SINGLE_RUNS
    assert dk.ensemble(model, n=n, seed=1).backend == "python"
    assert dk.ensemble(model, n=n + 1, seed=1).backend in ("numpy", "numba")


def test_a_run_that_fails_is_named_as_the_vectorised_kernel_names_it():
    model = dk.Model("blowup", [dk.Stock("s", 1), dk.Flow("f", "1 / (TIME - c)", into="s"),
                                dk.Param("c", 3.5, bounds=(0, 10))], check_units="off")
    errors = []
    for backend in ("auto", "numpy"):
        with pytest.raises(dk.ModelError) as info:
            dk.ensemble(model, samples={"c": [3.5, 4.0, 5.5]}, backend=backend)
        errors.append((str(info.value), info.value.variable, info.value.time))
    assert errors[0] == errors[1] and errors[0][1:] == ("f", 4.0) and "run 1 (c=4)" in errors[0][0]


def test_a_division_by_zero_that_ieee_arithmetic_resolves_stays_a_single_run():
    # 5 / TIME at TIME = 0 is inf in IEEE arithmetic, and MIN(1, inf) is 1: every value is finite
    model = dk.Model("switch", [dk.Stock("s", 0), dk.Flow("f", "MIN(1, k / TIME)", into="s"),
                                dk.Param("k", 5, bounds=(1, 10))], stop=5, check_units="off")
    ens = dk.ensemble(model, samples={"k": [2.0, 5.0]})
    assert ens.backend == "python"
    np.testing.assert_array_equal(ens.values, dk.ensemble(model, samples={"k": [2.0, 5.0]}, backend="numpy").values)
    assert ens["f"][0].tolist() == [1.0, 1.0]


def test_a_job_run_in_parts_runs_every_part_as_the_whole_job():
    """dk.uncertainty runs its runs in parts (to report progress): a last part of a few runs is
    not run as single runs, so every run is computed the same way (here: to the bit the one
    45-run ensemble; the parts of 10 and the last of 5 would otherwise be single runs, whose EXP
    may differ from numpy's in the last bit)."""
    model = dk.models.load("three_objectives")
    result = dk.uncertainty(model, n=45, chunk=10, seed=3)
    whole = dk.ensemble(model, n=45, seed=3, vary=result.vary, record=result.ensemble.names)
    assert whole.backend == "numpy"
    assert np.array_equal(result.ensemble.values, whole.values)
