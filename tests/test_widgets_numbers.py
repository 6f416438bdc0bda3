"""The numbers behind the explorer's chart: the table a learner reads or copies into a
spreadsheet, and the CSV file of every step (the browser test downloads it for real:
tests/browser/test_explorer_browser.py)."""

import base64
import csv
import io
import re

import pytest

import dpmkit as dk
from dpmkit.widgets import numbers


def _csv_rows(text):
    return list(csv.reader(io.StringIO(text)))


def _link_bytes(link):
    data = re.search(r"href='data:text/csv;base64,([A-Za-z0-9+/=]+)'", link).group(1)
    return base64.b64decode(data)


def test_every_step_of_the_run_and_the_base_with_labels_and_units():
    model = dk.models.load("demo")
    run, base = dk.simulate(model, {"staff_target": 14}), dk.simulate(model)
    frame = numbers.table(model, run, ["waiting_list", "staff"], base)
    assert list(frame.columns) == ["time", "when", "Waiting list (people)", "Waiting list (people), base run",
                                   "Caseworkers (FTE)", "Caseworkers (FTE), base run"]
    assert list(frame["time"]) == pytest.approx(list(run.time))
    assert list(frame["Waiting list (people)"]) == list(run["waiting_list"])
    assert list(frame["Caseworkers (FTE), base run"]) == list(base["staff"])
    assert frame["when"].iloc[4] == "month 1"


def test_the_page_shows_a_row_each_whole_time_unit_and_the_last_step():
    demo = dk.models.load("demo")  # months, dt 0.25: month 0 to month 60
    rows = numbers.shown_rows(dk.simulate(demo).time)
    assert len(rows) == 61 and rows[:3] == [0, 4, 8] and rows[-1] == 240
    surrey = dk.models.load("surrey")  # April 2006 to January 2022, monthly steps
    run = dk.simulate(surrey)
    frame = numbers.table(surrey, run, ["neet"])
    shown = [frame["when"].iloc[k] for k in numbers.shown_rows(frame["time"])]
    assert shown[:2] == ["April 2006", "April 2007"] and shown[-2:] == ["April 2021", "2022"]
    long = [0.01 * k for k in range(100_001)]  # 1,000 time units: thinned, start and end kept
    rows = numbers.shown_rows(long)
    assert len(rows) <= numbers.MAX_SHOWN + 1 and rows[0] == 0 and rows[-1] == 100_000
    assert numbers.shown_rows([0.0, 0.1, 0.2, 0.3]) == [0, 1, 2, 3]  # a short run shows its steps


def test_the_csv_reads_back_with_the_runs_numbers_and_excels_byte_order_mark():
    model = dk.models.load("surrey")
    run = dk.simulate(model)
    link = numbers.numbers_html(model, run, ["neet"], None)
    raw = _link_bytes(link)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(raw.decode("utf-8-sig"))
    assert rows[0] == ["time", "when", f"{model['neet'].label} (people)"]
    assert len(rows) == 1 + len(run.time)
    assert [float(r[2]) for r in rows[1:]] == pytest.approx(list(run["neet"]), rel=1e-9)
    assert rows[97][1] == "April 2014" and float(rows[97][0]) == pytest.approx(2014.25)
    assert "download='surrey-run.csv'" in link


def test_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text():
    """A model read from someone's file may label a variable "=HYPERLINK(...)": opened in Excel,
    the CSV must show that text, not run it."""
    model = dk.Model("=cmd|' /C calc'!A0", [
        dk.Param("rate", 0.1, label="+rate"),
        dk.Stock("s", 10, label="=HYPERLINK(\"http://x\")", units="people"),
        dk.Flow("f", "s * rate", out_of="s", label="@SUM(1)"),
    ], stop=2)
    text = numbers.csv_text(numbers.table(model, dk.simulate(model), ["s", "f"]))
    header = _csv_rows(text)[0]
    assert header == ["time", "when", "'=HYPERLINK(\"http://x\") (people)", "'@SUM(1)"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in _csv_rows(text) for cell in row
               if not re.fullmatch(r"-?[0-9.e+-]+", cell))
    assert numbers.file_name(model) == "cmd_C_calc_A0-run.csv"
    assert numbers.file_name(dk.Model("../../etc", [dk.Stock("s", 1)], stop=1)) == "etc-run.csv"
    page = numbers.numbers_html(model, dk.simulate(model), ["s"])
    assert "<a class='dpmkit-numbers-download'" in page and "HYPERLINK(&quot;" in page  # escaped on the page


def test_a_very_long_run_keeps_the_file_bounded_with_its_last_step():
    model = dk.Model("long", [dk.Stock("s", 1), dk.Flow("f", "0.001", into="s")], stop=100_000, dt=1)
    frame = numbers.table(model, dk.simulate(model), ["s"])
    rows = _csv_rows(numbers.csv_text(frame))
    assert len(rows) - 1 <= numbers.MAX_CSV_ROWS + 1
    assert float(rows[-1][0]) == 100_000 and float(rows[1][0]) == 0


def test_the_explorer_sends_the_numbers_only_when_asked_and_follows_the_sliders():
    explorer = dk.widgets.explore("demo", outputs=["waiting_list"])
    assert explorer.numbers.value == ""
    explorer.numbers_button.value = True
    final = dk.words.number(explorer.result.final("waiting_list"))
    assert "<td style='padding:1px 8px;text-align:left'>month 60</td>" in explorer.numbers.value
    assert explorer.numbers.value.count("<tr>") == 1 + 61 and "base run" in explorer.numbers.value
    explorer.controls["staff_target"].value = 14  # as if released: the model runs again
    moved = dk.words.number(explorer.result.final("waiting_list"))
    assert moved != final
    last = explorer.numbers.value.rsplit("<tr>", 1)[1]
    assert f">{moved}</td>" in last and f">{final}</td>" in last  # this run, then the base run
    explorer.show_base.value = False
    assert "base run" not in explorer.numbers.value
    explorer.numbers_button.value = False
    assert explorer.numbers.value == ""
