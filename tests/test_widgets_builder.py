"""A model built without code (dk.widgets.model_sheet): the sheet builds, runs and is explored at
once; a mistake is shown with its line and loses nothing; the links save files that read back as
the same model (the browser test types, builds and downloads for real:
tests/browser/test_explorer_browser.py)."""

import base64
import html
import re

import numpy as np
import pytest

import dpmkit as dk
from dpmkit import sheet
from dpmkit.widgets.builder import STARTER, sheet_csv


def _saved(links, suffix):
    """The bytes behind the link that saves a file ending in ``suffix``."""
    match = re.search(rf"download='([^']*{re.escape(suffix)})' href='data:[^;]+;base64,([A-Za-z0-9+/=]+)'", links)
    assert match, links[:300]
    return match.group(1), base64.b64decode(match.group(2))


def test_the_starter_builds_runs_and_saves_as_a_sheet_and_as_xmile_that_read_back_the_same(tmp_path):
    builder = dk.widgets.model_sheet()
    assert builder.text.value == STARTER and builder.error == ""
    model = builder.model
    assert [v.name for v in model.variables] == ["waiting", "referrals", "served", "demand", "capacity"]
    assert "Built 'waiting_list': 1 stock, 2 flows, 2 parameters" in html.unescape(builder.message.value)
    assert builder.place.children == (builder.explorer,)
    assert builder.explorer.result.final("waiting") == dk.simulate(model).final("waiting") == pytest.approx(224)
    name, raw = _saved(builder.links.value, "-sheet.csv")
    assert name == "waiting_list-sheet.csv" and raw.startswith(b"\xef\xbb\xbf")
    again = sheet.read(raw.decode("utf-8-sig"), name="waiting_list", stop=52, time_units="week")
    assert np.array_equal(dk.simulate(again)["waiting"], dk.simulate(model)["waiting"])
    name, raw = _saved(builder.links.value, ".xmile")
    (tmp_path / name).write_bytes(raw)
    reopened = dk.xmile.read(tmp_path / name)
    assert np.allclose(dk.simulate(reopened)["waiting"], dk.simulate(model)["waiting"], rtol=1e-12)


def test_a_mistake_is_shown_with_its_line_and_the_last_model_that_worked_stays():
    builder = dk.widgets.model_sheet()
    first, explorer = builder.model, builder.explorer
    builder.text.value = builder.text.value.replace("MIN(waiting / DT, capacity)", "MIN(waiting / DT, capacity")
    assert builder.build() is None
    assert builder.error.startswith("line 4 (served)")
    assert "Not built: line 4 (served)" in builder.message.value and "last one that worked" in builder.message.value
    assert builder.model is first and builder.explorer is explorer
    builder.text.value = "(" * 20_000  # hostile or unlucky text: a message, not a crash
    assert builder.build() is None and builder.model is first


def test_a_changed_number_and_settings_rebuild_the_model():
    builder = dk.widgets.model_sheet()
    builder.text.value = builder.text.value.replace("lever\tcapacity\t28", "lever\tcapacity\t32")
    builder.stop.value = 10
    model = builder.build()
    assert model.defaults["capacity"] == 32 and model.stop == 10
    assert builder.explorer.model is model
    assert builder.explorer.result.final("waiting") == pytest.approx(100)  # 2 fewer a week for 10 weeks


def test_a_ready_made_model_starts_as_its_own_sheet_with_its_own_run():
    builder = dk.widgets.model_sheet("surrey", outputs=["neet"])
    surrey = dk.models.load("surrey")
    assert builder.text.value == sheet.dumps(surrey)
    assert (builder.model.start, builder.model.stop, builder.model.time_units) == (2006.25, 2022.0, "year")
    assert builder.explorer.outputs == ["neet"]
    assert np.array_equal(builder.explorer.result["neet"], dk.simulate(surrey)["neet"])
    with pytest.raises(dk.ModelError, match="a dpmkit Model or the name of a ready-made model"):
        dk.widgets.model_sheet(42)


def test_a_cell_excel_would_take_for_a_formula_is_saved_as_text_and_read_back_without_its_mark():
    text = "kind\tname\tequation\nstock\ts\t-1\nflow\tf\t-0.5 * s\n"
    saved = sheet_csv(text)
    assert saved.splitlines()[1:] == ["stock,s,-1", "flow,f,'-0.5 * s"]
    model = sheet.read(saved)
    assert model["f"].equation == "-0.5 * s" and model["s"].initial == -1


def test_units_that_disagree_are_said_in_the_message_and_the_model_still_runs():
    builder = dk.widgets.model_sheet(text="kind\tname\tequation\tunits\tlow\thigh\nstock\ts\t1\tpeople\n"
                                          "parameter\tp\t1\t\t0\t2\n"
                                          "auxiliary\ta\ts * 2\tmonth\nauxiliary\tb\ts\tpeople\n")
    said = html.unescape(builder.message.value)
    assert "1 stock, 2 auxiliaries, 1 parameter. It runs, but check the units" in said
    assert "units of 'a': declared month but its equation gives people" in said
    first = builder.explorer
    builder.build()  # a rebuild replaces the explorer and closes the old one's widgets
    assert builder.explorer is not first and builder.explorer.comm is not None
    assert first.comm is None and all(c.comm is None for c in first.controls.values())


def _observed(model, every=4, **params):
    run = dk.simulate(model, params)
    return "time\twaiting\n" + "".join(f"{t:g}\t{run.at(t, 'waiting'):.0f}\n" for t in range(0, 53, every))


def test_pasted_data_fit_the_chosen_number_and_the_fitted_value_goes_into_the_sheet():
    builder = dk.widgets.model_sheet()
    assert builder.fit_params.options == (("Referrals a week (demand)", "demand"), ("Places a week (capacity)",
                                                                                    "capacity"))
    builder.data.value = _observed(builder.model, demand=35)  # as counted: whole people
    builder.fit_params.value = ("demand",)
    fit = builder.fit_data()
    assert fit.params["demand"] == pytest.approx(35, abs=0.05)
    said = html.unescape(builder.fit_message.value)
    assert "Referrals a week: 35 (95% interval 35 to 35)." in said and "R² 1.00" in said
    assert builder.fit_picture.value.lstrip().startswith("<svg") and not builder.use_button.disabled
    model = builder.use_fit()
    assert model.defaults["demand"] == pytest.approx(35, abs=0.05) and builder.model is model
    assert [line.split("\t")[2] for line in builder.text.value.splitlines() if line.startswith("lever")] == ["35",
                                                                                                            "28"]
    assert "The sheet now holds the fitted values: Referrals a week 35." in html.unescape(builder.fit_message.value)


def test_a_fit_the_data_cannot_pin_down_says_so_instead_of_a_bare_interval():
    """Three wild counts: the sheet said 'Referrals a week: 36 (95% interval -226 to 298).', an
    interval far past the number's own range of 0 to 60; lesson 09's refits said the same
    (±230.71). It now says it in the words lesson 09 uses (words.estimate)."""
    builder = dk.widgets.model_sheet()
    builder.data.value = "time\twaiting\n0\t120\n1\t300\n2\t50\n"
    builder.fit_params.value = ("demand",)
    builder.fit_data()
    said = html.unescape(builder.fit_message.value)
    assert "Referrals a week: 36: the data cannot pin it down yet (anything from 0 to 60 fits them)." in said
    assert "-226" not in said and "298" not in said


@pytest.mark.parametrize(("data", "chosen", "said"), [
    ("time\twaiting\n0\t120\n", (), "pick at least one number to fit"),
    ("time\twaitin\n0\t120\n4\t128\n", ("demand",), "waitin"),
    ("time\twaiting\n0\t120\n4\tlots\n", ("demand",), "line 3, column 'waiting' must be a number, not 'lots'"),
    ("time\twaiting\n4\t120\n0\t128\n", ("demand",), "line 3: the time 0 comes after 4; times must increase"),
    ("when\twaiting\n0\t120\n", ("demand",), "the first column must be the time"),
    ("time\twaiting\n0\t120\n4\t1e300\n", ("demand",), "has 1e+300 at time 4: too large to fit"),
])
def test_data_that_cannot_be_fitted_say_why_and_change_nothing(data, chosen, said):
    builder = dk.widgets.model_sheet()
    text = builder.text.value
    builder.data.value = data
    builder.fit_params.value = chosen
    assert builder.fit_data() is None
    assert said in html.unescape(builder.fit_message.value) and "Not fitted" in builder.fit_message.value
    assert builder.use_button.disabled and builder.text.value == text


def test_a_fit_to_data_that_do_not_vary_says_so_in_words_instead_of_printing_nan():
    builder = dk.widgets.model_sheet()
    builder.data.value = "time\tserved\n0\t28\n4\t28\n8\t28\n"  # served at capacity all along
    builder.fit_params.value = ("demand",)
    assert builder.fit_data() is not None
    said = html.unescape(builder.fit_message.value)
    assert "no R²: the data do not vary" in said and "nan" not in said.lower()
    builder.data.value = "time\tserved\n0\t0\n4\t0\n"
    builder.fit_data()
    said = html.unescape(builder.fit_message.value)
    assert "(the data are all zero)" in said and "nan" not in said.lower()


OWN = ("kind,name,equation,units,from,to,label,low,high\n"
       "stock,queue,50,people,,,Café queue (£ per head)\n"
       "flow,arriving,arrivals,people/day,,queue\n"
       "flow,served,queue / wait,people/day,queue\n"
       "lever,arrivals,12,people/day,,,Arrivals,0,40\n"
       "parameter,wait,2,day,,,Days served in,1,10\n")


@pytest.mark.parametrize("encoded", [
    OWN.encode("cp1252"),  # Excel on Windows: "CSV (Comma delimited)"
    OWN.encode("utf-8-sig"),  # "CSV UTF-8"
    OWN.replace(",", "\t").encode("utf-16"),  # "Unicode Text": tabs, UTF-16 with a byte-order mark
    OWN.replace(",", ";").replace("Café queue (£ per head)", "Café queue").encode("utf-8"),  # semicolons
])
def test_a_sheet_saved_from_excel_opens_from_a_file_in_each_encoding_excel_writes(encoded):
    builder = dk.widgets.model_sheet()
    model = builder.open_file("My service (v2).csv", encoded)
    assert model is not None, builder.message.value
    assert model.name == "my_service_v2" and builder.name.value == "my_service_v2"
    assert model["queue"].label.startswith("Café queue") and model["arrivals"].bounds == (0, 40)
    said = html.unescape(builder.message.value)
    assert "Opened My service (v2).csv and built 'my_service_v2'" in said
    assert builder.explorer.model is model


def test_a_stella_or_xmile_model_opens_as_a_sheet_with_its_time_settings_and_method():
    source = dk.models.load("demo").replace(method="rk4", dt=0.25)
    builder = dk.widgets.model_sheet()
    model = builder.open_file("demo.stmx", dk.xmile.dumps(source).encode("utf-8"))
    assert model is not None, builder.message.value
    assert builder.text.value == sheet.dumps(dk.xmile.read(dk.xmile.dumps(source)))
    assert (builder.method.value, builder.dt.value, builder.stop.value) == ("rk4", 0.25, source.stop)
    assert (model.method, model.dt) == ("rk4", 0.25)
    assert np.array_equal(dk.simulate(model)["waiting_list"], dk.simulate(source)["waiting_list"])


@pytest.mark.parametrize(("name", "data", "said"), [
    ("service.csv", b"PK\x03\x04\x14\x00\x06\x00", "is an Excel workbook"),
    ("service.csv", b"kind\x00name", "is not a text file"),
    ("service.txt", b"\xff\xfek\x00i", "service.txt starts as Unicode Text but breaks off at byte 4"),
    ("bomb.xmile", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xmile>&a;</xmile>',
     "bomb.xmile: the XMILE text was refused: it has a DOCTYPE declaration"),
    ("huge.csv", b"x" * (4 * sheet.MAX_CHARS + 1), "the kit reads sheets of up to 1,000,000 characters"),
])
def test_a_file_that_cannot_be_opened_says_why_and_changes_nothing(name, data, said):
    builder = dk.widgets.model_sheet()
    text, model = builder.text.value, builder.model
    assert builder.open_file(name, data) is None
    message = html.unescape(builder.message.value)
    assert "Not opened" in message and said in message
    assert builder.text.value == text and builder.model is model and builder.undo_button.layout.display == "none"


def test_a_sheet_with_a_mistake_stays_to_mend_and_the_sheet_before_comes_back():
    builder = dk.widgets.model_sheet()
    text, settings = builder.text.value, builder._settings()
    assert builder.open_file("mine.csv", OWN.replace("queue / wait", "queue / wiat").encode()) is None
    assert "line 4 (served)" in html.unescape(builder.message.value) and "wiat" in builder.text.value
    assert builder.name.value == "mine" and builder.undo_button.layout.display is None
    model = builder.undo_open()
    assert builder.text.value == text and builder._settings() == settings and model.name == "waiting_list"
    assert builder.undo_button.layout.display == "none"


def test_the_open_button_hands_the_chosen_file_over_and_can_take_the_same_file_again():
    import datetime

    builder = dk.widgets.model_sheet()
    entry = {"name": "mine.csv", "type": "text/csv", "size": len(OWN), "content": memoryview(OWN.encode()),
             "last_modified": datetime.datetime(2026, 12, 4, tzinfo=datetime.timezone.utc)}
    builder.upload.value = (entry,)
    assert builder.model.name == "mine" and builder.upload.value == ()
    with pytest.raises(dk.ModelError, match="method is 'euler' or 'rk4', not 'RK4'"):
        dk.widgets.model_sheet(method="RK4")


def test_counts_saved_from_excel_open_into_the_fit_and_a_bad_file_leaves_the_box_as_it_was():
    builder = dk.widgets.model_sheet()
    counted = _observed(builder.model, demand=35).replace("\t", ";")  # Excel's CSV where the comma is decimal
    assert builder.open_data_file("counts.csv", counted.encode("cp1252"))
    assert builder.data.value == counted
    assert "Opened counts.csv: 14 times, observing waiting" in html.unescape(builder.fit_message.value)
    builder.fit_params.value = ("demand",)
    assert builder.fit_data().params["demand"] == pytest.approx(35, abs=0.05)
    assert not builder.open_data_file("counts.csv", b"time;waiting\n0;120\n4;lots\n")
    said = html.unescape(builder.fit_message.value)
    assert "Not opened: counts.csv: line 3, column 'waiting' must be a number, not 'lots'" in said
    assert builder.data.value == counted


def test_a_fit_that_explains_nothing_of_a_series_says_r2_0_not_minus_0():
    # a constant flow fitted to counts that wobble around it: R² a hair below zero read "-0.00"
    builder = dk.widgets.model_sheet()
    builder.data.value = "time\treferrals\n0\t31\n4\t29\n8\t31\n12\t29\n16\t30.2\n"
    builder.fit_params.value = ("demand",)
    assert builder.fit_data() is not None
    said = html.unescape(builder.fit_message.value)
    assert "Referrals: the fitted run is" in said and "(R² 0.00)" in said and "-0.00" not in said


def test_a_fitted_value_with_three_decimals_goes_into_the_sheet_so_that_the_sheet_still_builds():
    # 123.4567 was written "123.457", which the sheet refuses as ambiguous (123457 with a thousands point)
    text = ("kind\tname\tequation\tunits\tfrom\tto\tlow\thigh\n"
            "stock\tstock\t0\tpeople\n"
            "flow\tinflow\trate\tpeople/week\t\tstock\n"
            "lever\trate\t100\tpeople/week\t\t\t0\t1000\n")
    builder = dk.widgets.model_sheet(text=text, stop=10)
    run = dk.simulate(builder.model, {"rate": 123.4567})
    builder.data.value = "time\tstock\n" + "".join(f"{t}\t{run.at(t, 'stock'):.4f}\n" for t in range(0, 11, 2))
    builder.fit_params.value = ("rate",)
    assert builder.fit_data().params["rate"] == pytest.approx(123.4567, abs=1e-3)
    model = builder.use_fit()
    assert model is not None, builder.message.value
    assert model.defaults["rate"] == 123.457 and "lever\trate\t123.4570\t" in builder.text.value
