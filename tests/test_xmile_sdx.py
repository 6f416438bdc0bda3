"""The SD community's canonical test models (SDXorg/test-models, MIT licence), read
with dk.xmile and run with the kit's engine.

Every ``.xmile`` file in the suite is a case. A case the kit supports must match the
canonical output of its folder (output.tab or output.csv). A case it does not
support must be refused by :func:`dpmkit.xmile.read` with a ModelError naming the
construct and the variable: the reasons are the table REFUSED below (and
docs/xmile-support.md). Where a canonical output cannot be the kit's answer for a
reason outside the kit (a converter dropped part of the Vensim model, the output was
made with another integration method, Vensim's meaning of a builtin differs from
XMILE's), the case is still run and compared, and a separate test proves the
stated reason from the files themselves.

The suite lives beside the repository (``../shared/testdata/sdxorg-test-models``);
the tests skip, saying so, when it is not there.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from test_xmile import compare_with_pysd, pysd  # noqa: F401  (pysd is a fixture)

import dpmkit as dk
from dpmkit.xmile import _key, identifier

SDX = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "sdxorg-test-models" / "tests"
MISSING = f"the SDXorg test models are not at {SDX} (CI clones shared/ beside the repository)"
CASES = sorted(p.relative_to(SDX).as_posix() for p in SDX.rglob("*.xmile")) if SDX.is_dir() else []

#: Cases the kit refuses: (what the error must say, the variable it must name, why).
UNTRANSLATED = "is '\\?\\?\\?': the converter that wrote the file \\(xmutil, from Vensim\\) could not translate it"
REFUSED = {
    # xmutil wrote '???' for the arrayed constants it could not translate from Vensim: the
    # files do not say what they are. With the constants restored, they pass (test below).
    "subscript_1d_arrays/test_subscript_1d_arrays.xmile":
        (UNTRANSLATED, "Rate A[Entry 1]", "xmutil wrote '???' for the arrayed constant Rate A"),
    "subscript_multiples/test_multiple_subscripts.xmile":
        (UNTRANSLATED, "Rate A[Entry 1]", "xmutil wrote '???' for the arrayed constants Rate A and Rate B"),
    "subscript_updimensioning/test_subscript_updimensioning.xmile":
        (UNTRANSLATED, "One Dim[A]", "xmutil wrote '???' for the arrayed constant One Dim"),
    "subscripted_flows/test_subscripted_flows.xmile":
        (UNTRANSLATED, "Rate B[Entry 1]", "xmutil wrote '???' for the arrayed constants Rate A and Rate B"),
    "non_negative_flows/test_non_negative_flows.xmile":
        (r"is not well-formed XML: mismatched tag at line 45", None,
         "the file is malformed XML (a <flow> is never closed); see the repaired check below"),
    "non_negative_flows/test_non_negative_flows_behavior.xmile":
        (r"is not well-formed XML: mismatched tag at line 49", None,
         "the file is malformed XML (a <flow> is never closed); see the repaired check below"),
}

#: Cases compared with another reference file of the same folder, and why.
REFERENCE = {
    "active_initial/test_active_initial.xmile": (
        "output_stella.csv",
        "output.tab comes from Vensim's ACTIVE INITIAL(Value A, 45); xmutil dropped the 45 when it "
        "wrote the XMILE file, whose Stock A simply starts at Value A. Stella's output of the XMILE file "
        "is the reference.",
    ),
}

#: Cases run with another integration method than their file says, and why.
METHOD = {
    "zeroled_decimals/test_zeroled_decimals.xmile": (
        "euler",
        "Vensim's XMILE export writes method=\"RK4\" whatever the model uses; the canonical output "
        "was computed with Euler.",
    ),
}

#: Columns whose canonical values follow Vensim's meaning of a builtin, not XMILE's.
SEMANTICS = {
    "rounding/test_rounding.xmile": {
        "test integer": "Vensim's INTEGER truncates towards 0; XMILE's INT (and the kit's) rounds down",
        "test modulo": "Vensim's MODULO takes the sign of the dividend; the kit's MOD rounds the quotient down",
    },
}

#: Canonical columns of variables that the case's XMILE file does not contain, and why.
ABSENT = {
    "smooth_and_stock/test_smooth_and_stock.xmile": (
        {"Input", "Smoothed Input", "Smoothing Time"},
        "the Vensim model also smooths an arrayed Input, which xmutil left out of the XMILE file "
        "(Stella's output of the file, output_stella.csv, has no such columns)",
    ),
}

# Vensim's control variables: in the canonical outputs whether or not the model has them.
CONTROL = {"initial_time", "final_time", "time_step", "saveper"}


def canonical(folder, name=None):
    """The canonical output of a case folder: {column: (times, values, texts)}."""
    if name is None:
        name = "output.tab" if (folder / "output.tab").exists() else "output.csv"
    path = folder / name
    lines = [line for line in re.split(r"\r\n|\r|\n", path.read_text(encoding="utf-8")) if line.strip()]
    sep = "\t" if path.suffix == ".tab" else ","
    header = [h.strip().strip('"') for h in re.findall(r'"[^"]*"|[^' + sep + r']+', lines[0])]
    rows = [line.split(sep) for line in lines[1:]]
    time_col = 0
    assert _key(header[0]) in ("time", "months"), header[0]
    out = {}
    for k, column in enumerate(header):
        if k == time_col:
            continue
        cells = [(float(r[time_col]), r[k].strip()) for r in rows if k < len(r) and r[k].strip()]
        out[column] = (np.array([t for t, _ in cells]), np.array([float(c) for _, c in cells]),
                       [c for _, c in cells])
    return out


def printed_half_unit(text):
    """Half a unit in the last printed digit of a number, e.g. '0.0375' -> 5e-5."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (int(exponent or 0) - decimals)


def run(case, method=None):
    with warnings.catch_warnings():
        # the canonical models are not about units (several mix "Month" and "Months")
        warnings.simplefilter("ignore", dk.UnitsWarning)
        model = dk.xmile.read(SDX / case)
        return model, dk.simulate(model, method=method)


def compare(case, model, result, reference, skip=()):
    """Compare every model variable found in ``reference``; return the names compared."""
    by_key = {_key(v.label): v.name for v in model.variables}
    compared = []
    for column, (times, values, texts) in reference.items():
        key = _key(column)
        if key not in by_key:
            assert key in CONTROL or column in ABSENT.get(case, ((), ""))[0], \
                f"{case}: the canonical output has {column!r}, which the model lacks"
            continue
        if column in skip:
            continue
        name = by_key[key]
        index = np.searchsorted(result.time, times - 1e-9)
        assert np.all(index < len(result.time)) and np.allclose(result.time[index], times, atol=1e-9), \
            f"{case}: {column!r} is reported at times off the run's grid"
        ours = result[name][index]
        # Tolerance from what was printed: half a unit in the last printed digit
        # (Vensim prints six or seven significant digits), plus 1e-5 of the value and
        # 2e-6 of the column's scale, because several of these outputs (exp, trig)
        # were computed in single precision, whose rounding accumulates over a run.
        scale = max(1.0, float(np.max(np.abs(values))))
        tolerance = np.array([printed_half_unit(t) for t in texts]) + 2e-6 * scale + 1e-5 * np.abs(values)
        bad = np.abs(ours - values) > tolerance
        assert not bad.any(), (
            f"{case}: {column!r} differs first at time {times[bad][0]:g}: "
            f"kit {ours[bad][0]!r}, canonical {texts[int(np.argmax(bad))]}"
        )
        compared.append(name)
    return compared


@pytest.mark.skipif(not CASES, reason=MISSING)
@pytest.mark.parametrize("case", CASES or ["(none)"])
def test_sdx_case(case):
    if case in REFUSED:
        message, variable, _ = REFUSED[case]
        with pytest.raises(dk.ModelError, match=message) as err:
            dk.xmile.read(SDX / case)
        if variable is not None:
            assert repr(variable) in str(err.value) and err.value.variable == variable
        return
    method, _ = METHOD.get(case, (None, ""))
    model, result = run(case, method)
    folder = (SDX / case).parent
    reference_file, _ = REFERENCE.get(case, (None, ""))
    reference = canonical(folder, reference_file)
    compared = compare(case, model, result, reference, skip=SEMANTICS.get(case, {}))
    assert compared, f"{case}: no variable of the model is in its canonical output"


@pytest.mark.skipif(not CASES, reason=MISSING)
def test_sdx_expectations_name_real_cases_and_most_cases_pass():
    for table in (REFUSED, REFERENCE, METHOD, SEMANTICS, ABSENT):
        for case in table:
            assert case in CASES, f"{case} is listed but not in the suite"
    supported = [c for c in CASES if c not in REFUSED]
    assert len(CASES) == 52 and len(supported) == 46  # the counts in docs/xmile-support.md


@pytest.mark.skipif(not CASES, reason=MISSING)
def test_sdx_columns_said_to_be_absent_are_absent_from_the_file_and_from_stellas_output():
    for case, (columns, _) in ABSENT.items():
        text = (SDX / case).read_text(encoding="utf-8")
        stella = (SDX / case).parent / "output_stella.csv"
        for column in columns:
            assert f'name="{column}"' not in text
            assert column in canonical((SDX / case).parent)
            assert column not in canonical((SDX / case).parent, stella.name)


@pytest.mark.skipif(not CASES, reason=MISSING)
def test_sdx_active_initial_canonical_output_is_vensims_active_initial():
    case = "active_initial/test_active_initial.xmile"
    _, result = run(case)
    vensim = canonical((SDX / case).parent)
    times, values, _ = vensim["Stock A"]
    assert "45" not in (SDX / case).read_text(encoding="utf-8").split("<model>")[1]
    np.testing.assert_allclose(values - result["stock_a"][np.searchsorted(result.time, times)], 45.0)


@pytest.mark.skipif(not CASES, reason=MISSING)
def test_sdx_zeroled_decimals_canonical_output_is_euler_although_the_file_says_rk4():
    case = "zeroled_decimals/test_zeroled_decimals.xmile"
    model, euler = run(case, "euler")
    assert model.method == "rk4"
    _, rk4 = run(case)
    times, values, _ = canonical((SDX / case).parent)["stockmixed"]
    index = np.searchsorted(euler.time, times)
    np.testing.assert_allclose(euler["stockmixed"][index], values, rtol=1e-6)
    assert not np.allclose(rk4["stockmixed"][index], values, rtol=1e-3)


@pytest.mark.skipif(not CASES, reason=MISSING)
def test_sdx_rounding_canonical_output_is_vensims_integer_and_modulo():
    case = "rounding/test_rounding.xmile"
    _, result = run(case)
    out = canonical((SDX / case).parent)
    times, stock, _ = out["StockA"]
    index = np.searchsorted(result.time, times)
    np.testing.assert_allclose(result["stocka"][index], stock, atol=1e-9)
    _, integer, _ = out["test integer"]
    _, modulo, _ = out["test modulo"]
    np.testing.assert_allclose(integer, np.trunc(stock), atol=1e-9)  # Vensim's INTEGER truncates
    np.testing.assert_allclose(modulo, np.fmod(stock, 3), atol=1e-6)  # and MODULO keeps the dividend's sign
    assert np.any(np.trunc(stock) != np.floor(stock))  # so negative values tell the two apart
    np.testing.assert_allclose(result["test_integer"][index], np.floor(stock), atol=1e-9)
    np.testing.assert_allclose(result["test_modulo"][index], np.mod(stock, 3), atol=1e-6)


@pytest.mark.skipif(not CASES, reason=MISSING)
@pytest.mark.parametrize("case", [
    "non_negative_flows/test_non_negative_flows.xmile",
    "non_negative_flows/test_non_negative_flows_behavior.xmile",
])
def test_sdx_non_negative_flows_match_once_the_missing_end_tag_is_restored(case):
    text = (SDX / case).read_text(encoding="utf-8")
    broken = re.compile(r"(<non_negative>FALSE  </non_negative>\s*)(<stock)")
    assert len(broken.findall(text)) == 1  # exactly the one unclosed <flow name="if_else3">
    model = dk.xmile.read(broken.sub(r"\1</flow>\2", text))
    result = dk.simulate(model)
    compared = compare(case, model, result, canonical((SDX / case).parent))
    assert {"outflow0", "outflow1", "if_else2", "if_else3", "teststock0", "teststock1"} <= set(compared)


@pytest.mark.skipif(not CASES, reason=MISSING)
@pytest.mark.parametrize("case", [c for c in CASES if c not in REFUSED] or ["(none)"])
def test_sdx_case_survives_writing_and_reading_back(case):
    model, result = run(case)
    again = dk.xmile.read(dk.xmile.dumps(model))
    assert again.names == model.names
    assert [v.label for v in again.variables] == [v.label for v in model.variables]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dk.UnitsWarning)
        result_again = dk.simulate(again)
    for name in result.names:
        a, b = result[name], result_again[name]
        assert np.array_equal(np.isnan(a), np.isnan(b)), name
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=0, err_msg=name)


UNTRANSLATED_CASES = [c for c, (message, _, _) in REFUSED.items() if message == UNTRANSLATED]


@pytest.mark.skipif(not CASES, reason=MISSING)
@pytest.mark.parametrize("case", UNTRANSLATED_CASES or ["(none)"])
def test_sdx_arrayed_cases_match_once_the_untranslated_constants_are_restored(case):
    """The four arrayed Vensim cases: xmutil wrote '???' for each arrayed constant.

    The canonical output shows each such constant, constant over the run; written back as
    XMILE lists of numbers (one per element, in element order), every case then matches:
    arrayed stocks, apply-to-all and per-element flows, two dimensions, and a
    one-dimensional array used in a two-dimensional one.
    """
    text = (SDX / case).read_text(encoding="utf-8")
    reference = canonical((SDX / case).parent)
    pattern = re.compile(r'(<aux name="([^"]+)">\s*<dimensions>\s*<dim name="([^"]+)"/>\s*</dimensions>\s*<eqn>)'
                         r'\s*\?\?\?\s*(</eqn>)')
    dims = dict(re.findall(r'<dim name="([^"]+)">(.*?)</dim>', text, re.S))
    restored = []

    def restore(m):
        elements = re.findall(r'<elem name="([^"]+)"/>', dims[m.group(3)])
        values = []
        for e in elements:
            _, column, texts = reference[f"{m.group(2)}[{e}]"]
            assert np.all(column == column[0])  # a constant: the same at every time
            values.append(texts[0])
        restored.append(m.group(2))
        return m.group(1) + ", ".join(values) + m.group(4)

    repaired = pattern.sub(restore, text)
    assert restored and "???" not in repaired
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dk.UnitsWarning)
        model = dk.xmile.read(repaired)
        result = dk.simulate(model)
    compared = compare(case, model, result, reference)
    arrays = {v.label.split("[")[0] for v in model.variables if "[" in v.label}
    assert arrays and all(any(c.startswith(identifier(a) + "_") for c in compared) for a in arrays)


def test_printed_precision():
    assert printed_half_unit("0.0375") == pytest.approx(5e-5)
    assert printed_half_unit("45") == 0.5
    assert printed_half_unit("1.05E-15") == pytest.approx(5e-18)
    assert math.isclose(printed_half_unit("2.0000000000000018"), 5e-17)


SAMPLES = SDX.parent / "samples"


@pytest.mark.skipif(not CASES, reason=MISSING)
@pytest.mark.parametrize("name", ["model.stmx", "model.xmile"])
def test_sdx_sample_with_modules_matches_its_output(name):
    """Hares and lynxes as two modules connected to each other and to the main model
    (Stella's file, and an earlier one that names connected inputs without the module)."""
    folder = SAMPLES / "bpowers-hares_and_lynxes_modules"
    model = dk.xmile.read(folder / name)
    compared = compare(name, model, dk.simulate(model), canonical(folder))
    assert {"hares_hares", "lynxes_lynxes", "lynxes_harvest", "hares_hare_density"} <= set(compared)
    assert model["hares_hares"].label == "hares.hares"
    # a connected input is the variable it is connected from
    assert model["hares_lynxes"].equation == "lynxes_lynxes" and model["lynxes_hare_density"].equation == \
        "hares_hare_density"
    assert isinstance(model["hares_lynxes"], dk.Aux)  # a stock in the module, an input once connected


@pytest.mark.skipif(not CASES, reason=MISSING)
def test_sdx_sample_in_the_draft_layout_before_xmile_1_0_is_refused_by_name():
    with pytest.raises(dk.ModelError, match=r"directly inside <model>, without <variables>: that is a draft of XMILE"):
        dk.xmile.read(SAMPLES / "bpowers-hares_and_lynxes_modules" / "model_legacy.stmx")


@pytest.mark.skipif(not CASES, reason=MISSING)
def test_sdx_array_samples_from_stella():
    model = dk.xmile.read(SAMPLES / "arrays" / "a2a" / "a2a.stmx")
    result = dk.simulate(model)
    for product in ("pizza", "salad"):
        np.testing.assert_array_equal(result[f"sales_{product}"],
                                      result[f"price_{product}"] * result[f"revenue_{product}"])
    model = dk.xmile.read(SAMPLES / "arrays" / "non-a2a" / "non-a2a.stmx")
    result = dk.simulate(model)
    assert result["price_pizza"][0] != result["price_salad"][0]  # an equation per element
    for product in ("pizza", "salad"):
        np.testing.assert_array_equal(result[f"sales_{product}"],
                                      result[f"price_{product}"] * result[f"revenue_{product}"])
    # a graphical function per element, applied to the one equation of the array (TIME)
    model = dk.xmile.read(SAMPLES / "arrays" / "non-a2a" / "non-a2a-gf.stmx")
    result = dk.simulate(model)
    pizza = [97.3, 91.4, 86.5, 78.4, 71.9, 65.9, 57.8, 50.3, 43.8, 33, 20, 2.7, 0]
    salad = [2.2, 5.9, 10.3, 14.9, 19.5, 30.8, 45.4, 53.5, 62.2, 68.6, 80, 92.4, 100]
    x = np.arange(1, 14)
    np.testing.assert_allclose(result["converter_1_pizza"], np.interp(result.time, x, pizza), rtol=1e-12)
    np.testing.assert_allclose(result["converter_1_salad"], np.interp(result.time, x, salad), rtol=1e-12)


@pytest.mark.skipif(not CASES, reason=MISSING)
def test_sdx_arrayed_case_written_by_the_kit_runs_the_same_in_pysd(pysd, tmp_path):  # noqa: F811
    # (arithmetics_exp divides by 2 * TIME at time 0, which PySD's Python raises on)
    model, _ = run("min_max_1arg/test_min_max_1arg.xmile")
    compare_with_pysd(pysd, model.replace(method="euler"), tmp_path)
