"""A model written as a sheet (dk.sheet): what a learner pastes from Excel or saves as CSV
becomes a model, every ready-made model goes there and back with the same declarations and run, and every
mistake (or hostile text) is a ModelError naming the line and the variable."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import dpmkit as dk
from dpmkit import sheet

WAITING = (
    "kind\tname\tequation\tunits\tfrom\tto\tlow\thigh\tnever negative\n"
    "stock\twaiting\t120\tpeople\t\t\t\t\tyes\n"
    "flow\treferrals\tdemand\tpeople/week\t\twaiting\n"
    "flow\tserved\tMIN(waiting / DT, capacity)\tpeople/week\twaiting\n"
    "lever\tdemand\t30\tpeople/week\t\t\t0\t100\n"
    "parameter\tcapacity\t28\tpeople/week\t\t\t0\t100\n"
)


def _same_as_code(model):
    by_hand = dk.Model("waiting_list", [
        dk.Stock("waiting", 120, units="people", non_negative=True),
        dk.Flow("referrals", "demand", into="waiting", units="people/week"),
        dk.Flow("served", "MIN(waiting / DT, capacity)", out_of="waiting", units="people/week"),
        dk.Param("demand", 30, bounds=(0, 100), units="people/week", role="policy_lever"),
        dk.Param("capacity", 28, bounds=(0, 100), units="people/week"),
    ], stop=52, time_units="week")
    assert list(dk.simulate(model)["waiting"]) == list(dk.simulate(by_hand)["waiting"])
    assert model["demand"].role == "policy_lever" and model["demand"].bounds == (0, 100)
    assert model["waiting"].non_negative and dk.check_units(model) == []


def test_a_sheet_pasted_from_excel_runs_as_the_same_model_written_in_python():
    model = sheet.read(WAITING, name="waiting_list", stop=52, time_units="week")
    _same_as_code(model)
    assert dk.simulate(model).final("waiting") == pytest.approx(224)


def test_a_csv_saved_by_excel_reads_the_same_with_quotes_a_byte_order_mark_and_other_column_orders():
    csv_text = ("\ufeffName,Kind,Units,Equation,From,To,Low,High,Never negative\r\n"
                "waiting,Stock,people,120,,,,,yes\r\n"
                "referrals,Flow,people/week,demand,,waiting,,,\r\n"
                "served,Flow,people/week,\"MIN(waiting / DT, capacity)\",waiting,,,,\r\n"
                "# a comment line, skipped\r\n"
                ",,,,,,,,\r\n"
                "demand,Lever,people/week,30,,,0,100,\r\n"
                "capacity,Parameter,people/week,28,,,0,100,\r\n")
    _same_as_code(sheet.read(csv_text, name="waiting_list", stop=52, time_units="week"))
    # where Excel saves CSV with semicolons, the comma is the decimal mark
    semicolons = ("kind;name;equation;units;from\nstock;s;1,5;people;\nflow;f;s * rate;people/week;s\n"
                  "parameter;rate;0,25;1/week;\n")
    model = sheet.read(semicolons, stop=1, dt=1, time_units="week")
    assert model["s"].initial == 1.5 and model["rate"].default == 0.25
    assert sheet.read("kind,name,equation\nparameter,big,\"1,080\"\n")["big"].default == 1080
    # the kit's one reader of typed numbers decides, as on a ballot: "0,5" is 0.5 in any sheet, and
    # "1.080" (1080 or 1.08?) is refused with what to write, not read silently as 1.08
    assert sheet.read("kind\tname\tequation\nparameter\thalf\t0,5\n")["half"].default == 0.5
    with pytest.raises(dk.ModelError, match=r"line 2 \(p\): the starting value must be a number, not '1\.080'; "
                                            r"write 1080 or 1\.08"):
        sheet.read("kind\tname\tequation\nstock\tp\t1.080\n")
    # a spreadsheet's text mark before a cell that would otherwise be a formula is not part of it
    marked = sheet.read("kind,name,equation\nstock,s,1\nflow,f,'-0.5 * s\n")
    assert marked["f"].equation == "-0.5 * s"


@pytest.mark.parametrize("name", dk.models.available())
def test_every_ready_made_model_goes_to_a_sheet_and_back_with_the_same_run(name):
    model = dk.models.load(name)
    text = sheet.dumps(model)
    again = sheet.read(text, name=model.name, start=model.start, stop=model.stop, dt=model.dt,
                       time_units=model.time_units)
    before, after = dk.simulate(model), dk.simulate(again)
    for variable in before.names:
        assert np.array_equal(before[variable], after[variable], equal_nan=True), variable
    # every declaration comes back as it was: bounds, uncertainty ranges, sources, roles, labels
    assert again.variables == model.variables
    assert sheet.dumps(again) == text  # and the sheet is stable


def test_a_lookup_is_a_row_of_points():
    model = sheet.read("kind\tname\tequation\tx units\n"
                       "lookup\teffect\t(0, 1) (5, 0.8) (10, 0.5)\tyear\n"
                       "auxiliary\tx\teffect(TIME)\t\n", stop=10, dt=1)
    assert model["effect"].x == (0, 5, 10) and model["effect"].y == (1, 0.8, 0.5)
    assert dk.simulate(model)["x"][-1] == pytest.approx(0.5)


@pytest.mark.parametrize(("text", "message"), [
    ("kind\tname\tequation\nstok\ts\t1\n", r"line 2 \(s\): kind 'stok' is not one of .*did you mean 'stock'"),
    ("kind\tname\tequation\tfrom\nstock\twaiting\t1\nflow\tserved\t1\twaitin\n",
     r"line 3 \(served\).*'waitin'.*waiting"),
    ("kind\tname\tequation\nstock\ts\t1\nparameter\ts\t2\n", r"line 3 \(s\): 's' is already declared on line 2"),
    ("kind\tname\tequation\nstock\ts\t1\nflow\tf\ts * (2 +\n", r"line 3 \(f\)"),
    ("kind\tname\tequation\nparameter\tp\tlots\n", r"line 2 \(p\): the value must be a number, not 'lots'"),
    ("kind\tname\tequation\tlow\thigh\nparameter\tp\t5\t10\t1\n", r"line 2 \(p\): 'low' \(10\) is above 'high' \(1\)"),
    ("kind\tname\tequation\tlow\nparameter\tp\t5\t1\n", r"give both 'low' and 'high'"),
    ("kind\tname\tequation\trole\nstock\ts\t1\tresource\n", r"line 2 \(s\): 'resource' is not a role"),
    ("kind\tname\tequation\tcolour\nstock\ts\t1\tred\n", r"line 1, column 4: no column called 'colour'"),
    ("name\tequation\ns\t1\n", r"first row must name its columns, at least 'kind' and 'name'"),
    ("kind\tname\tequation\tname\nstock\ts\t1\tt\n", r"two columns are called 'name'"),
    ("kind,name,equation\nflow,f,MIN(1, 2)\n", r"line 2 \(f\): 3 cells but 3|line 2 \(f\): 4 cells but 3 named"),
    ("kind\tname\tequation\nstock\t\t1\n", r"line 2: the stock has no name"),
    ("kind\tname\tequation\nstock\t2x\t1\n", r"line 2 \(2x\)"),
    ("kind\tname\tequation\nlookup\tl\t0 1 2\n", r"line 2 \(l\): a lookup's points are \(x, y\) pairs"),
    ("kind\tname\tequation\tnever negative\nauxiliary\ta\t1\tyes\n", r"only a stock or a flow"),
    ("kind\tname\tequation\tnever negative\nstock\ts\t1\tperhaps\n", r"'never negative' is yes or no"),
    ("kind\tname\tequation\tto\nauxiliary\ta\t1\ts\n", r"an auxiliary fills or drains no stock"),
    ("kind\tname\tequation\nstock\ts\t\n", r"line 2 \(s\): the starting value is empty"),
    ("", r"the sheet is empty"),
    ("kind\tname\tequation\nflow\tf\t=SUM(A1:A3)\n", r"line 2 \(f\)"),
])
def test_a_mistake_names_its_line_and_variable(text, message):
    with pytest.raises(dk.ModelError, match=message):
        sheet.read(text)


def test_hostile_text_is_refused_quickly_with_a_model_error():
    for text in (
        "kind\tname\tequation\nauxiliary\ta\t" + "(" * 5_000 + "1" + ")" * 5_000 + "\n",
        "kind\tname\tequation\nauxiliary\ta\t__import__('os').system('echo no')\n",
        "kind\tname\tequation\nparameter\tp\t1e999\n",
        "kind\tname\tequation\nstock\ts\t1\x00\n",
        "kind\tname\tequation\nstock\ts\t\ud800\n",
        "kind\tname\tequation\nstock\ts\t\"1\n",
        "x" * (sheet.MAX_CHARS + 1),
        "kind\tname\n" + "stock\ts\n" * (sheet.MAX_ROWS + 1),
        b"kind\tname",
    ):
        with pytest.raises(dk.ModelError):
            sheet.read(text)


def test_observations_read_as_a_table_with_gaps_and_either_decimal_mark():
    frame = sheet.read_data("time\twaiting\tstaff\n0\t120\t20\n4\t\t21\n8\t1,080\t\n")
    assert list(frame.index) == [0, 4, 8] and frame.index.name == "time"
    assert frame["waiting"].tolist()[0] == 120 and np.isnan(frame["waiting"].tolist()[1])
    assert frame["waiting"].tolist()[2] == 1080 and np.isnan(frame["staff"].tolist()[2])
    semicolons = sheet.read_data("time;neet\n2009,25;1 080\n2010,25;1 057\n")
    assert list(semicolons.index) == [2009.25, 2010.25] and semicolons["neet"].tolist() == [1080, 1057]
    for text, said in (("time\n0\n", "no observed variables"), ("time\ta\ta\n0\t1\t2\n", "two columns are called 'a'"),
                       ("time\ta\n0\t1\t2\n", "more cells than named columns"), ("time\ta\n", "at least one row")):
        with pytest.raises(dk.ModelError, match=said):
            sheet.read_data(text)


def test_wide_data_and_long_cells_get_errors_that_say_where_in_the_words_of_a_spreadsheet():
    # a duplicate column is named with both its positions, however far apart (found by a set, not a rescan)
    names = [f"c{i}" for i in range(20_000)] + ["c7"]
    text = "time\t" + "\t".join(names) + "\n0\t" + "\t".join(["1"] * len(names)) + "\n"
    with pytest.raises(dk.ModelError, match=r"two columns are called 'c7' \(columns 9 and 20002\)"):
        sheet.read_data(text)
    wide = sheet.read_data("time\t" + "\t".join(names[:-1]) + "\n0\t" + "\t".join(["1"] * (len(names) - 1)) + "\n")
    assert wide.shape == (1, 20_000)
    # one cell longer than the csv module reads: a line number and a length, not "field limit"
    long_lookup = "kind\tname\tequation\nlookup\tf\t" + " ".join(f"({i}, {i})" for i in range(30_000)) + "\n"
    with pytest.raises(dk.ModelError, match=r"^line 2: a cell is longer than 131,072 characters") as err:
        sheet.read(long_lookup)
    assert "field limit" not in str(err.value)


def test_a_broken_character_is_refused_on_reading_with_its_line_so_the_saved_sheet_never_fails():
    # a lone surrogate can reach a Textarea from a browser; the sheet's CSV link would fail to encode it
    with pytest.raises(dk.ModelError, match=r"^line 3: the sheet holds a broken character .*'peo'"):
        sheet.read("kind\tname\tequation\tunits\nparameter\tq\t2\nparameter\tp\t1\tpeo\ud800ple\n")
    with pytest.raises(dk.ModelError, match=r"^line 2: .*broken character"):
        sheet.read_data("time\tx\n0\t\udfff\n")


def test_a_parameter_row_holds_its_uncertainty_range_and_its_source():
    model = sheet.read("kind\tname\tequation\tlow\thigh\tunsure low\tunsure high\tsource\n"
                       "parameter\treferral_rate\t40\t0\t100\t30\t50\tour 2023 annual report\n"
                       "lookup\teffect\t(0, 1) (1, 0.5)\t\t\t\t\tassumption\n"
                       "stock\ts\treferral_rate * effect(0.5)\n")
    p = model["referral_rate"]
    assert (p.bounds, p.uncertainty, p.source) == ((0, 100), (30, 50), "our 2023 annual report")
    assert model["effect"].source == "assumption" and p.is_uncertain
    runs = dk.ensemble(model, n=50, seed=1)  # what the range is for: sampled within it
    assert 30 * 0.75 <= runs["s"][0].min() < runs["s"][0].max() <= 50 * 0.75  # the stocks start at time 0


@pytest.mark.parametrize(("row", "said"), [
    ("parameter\tp\t40\t0\t100\t30\t\t", r"line 2 \(p\): give both 'uncertain low' and 'uncertain high'"),
    ("parameter\tp\t40\t0\t100\t30\t150\t", r"line 2 \(p\): the uncertain range 30 to 150 must lie within "
                                                r"'low' and 'high' \(0 to 100\)"),
    ("parameter\tp\t40\t\t\t50\t30\t", r"line 2 \(p\): 'uncertain low' \(50\) is above 'uncertain high' \(30\)"),
    ("stock\tp\t40\t0\t100\t\t\t", r"line 2 \(p\): only a parameter or a lever has 'low'"),
    ("auxiliary\tp\t40\t\t\t30\t50\t", r"line 2 \(p\): only a parameter or a lever has 'uncertain low'"),
    ("flow\tp\t40\t\t\t\t\tsurvey", r"line 2 \(p\): only a parameter, a lever or a lookup has a 'source'"),
])
def test_an_uncertainty_range_or_a_source_where_it_cannot_be_is_named_with_its_line(row, said):
    with pytest.raises(dk.ModelError, match=said):
        sheet.read("kind\tname\tequation\tlow\thigh\tuncertain low\tuncertain high\tsource\n" + row + "\n")


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
       st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6), min_size=2,
                max_size=6, unique=True))
@example(92.057, [1.125, -12.375, 0.5])
@example(-0.0, [0.0, 1.0])
def test_every_number_dumps_writes_reads_back_as_the_same_float(value, xs):
    # 92.057 is refused as ambiguous when typed (92057 to someone who groups thousands with a point):
    # what the kit writes must never be, so it writes 92.0570
    model = dk.Model("m", [dk.Param("p", value), dk.Lookup("f", sorted(xs), xs), dk.Aux("a", "p + f(0)")])
    again = sheet.read(sheet.dumps(model), name="m")
    assert again["p"].default == value and np.copysign(1, again["p"].default) == np.copysign(1, value)
    assert again["f"].x == model["f"].x and again["f"].y == model["f"].y


def test_a_number_with_three_decimals_is_written_so_that_it_reads_as_a_decimal():
    model = dk.Model("m", [dk.Param("p", 92.057), dk.Param("q", -1.25), dk.Param("r", 1234.567)])
    rows = {line.split("\t")[1]: line.split("\t")[2] for line in sheet.dumps(model).splitlines()[1:]}
    assert rows == {"p": "92.0570", "q": "-1.25", "r": "1234.567"}
    assert sheet.read(sheet.dumps(model))["p"].default == 92.057


SDX = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "sdxorg-test-models"
SDX_FILES = sorted(p.relative_to(SDX).as_posix() for pattern in ("*.xmile", "*.stmx") for p in SDX.rglob(pattern))


@pytest.mark.skipif(not SDX_FILES, reason=f"the SDXorg test models are not at {SDX}")
def test_every_model_read_from_the_sd_communitys_xmile_files_goes_to_a_sheet_and_back_with_the_same_run():
    # what a learner does with a Stella or Vensim model: open it as a sheet, change it in Excel, paste it back
    read = 0
    for name in SDX_FILES:
        try:
            model = dk.xmile.read(SDX / name)
        except dk.ModelError:  # the files the reader refuses, each by name (tests/test_xmile_sdx.py)
            continue
        text = sheet.dumps(model)
        again = sheet.read(text, name=model.name, start=model.start, stop=model.stop, dt=model.dt,
                           time_units=model.time_units, method=model.method)
        before, after = dk.simulate(model), dk.simulate(again)
        for variable in before.names:
            assert np.array_equal(before[variable], after[variable], equal_nan=True), (name, variable)
        # stable once read (a file's initial value '-20.0' is written again as the sheet's -20)
        settled = sheet.dumps(again)
        assert sheet.dumps(sheet.read(settled, name=model.name, start=model.start, stop=model.stop, dt=model.dt,
                                      time_units=model.time_units, method=model.method)) == settled, name
        read += 1
    assert read >= 51  # 51 of the 63 files are read today (tests/test_xmile_sdx.py says why not the others)
