"""Chart builders: valid Vega-Lite, the declared labels and units, the right numbers,
accessible styling, plain-text summaries, offline display and export."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_session import displays, kernel

import dpmkit as dk

alt = pytest.importorskip("altair")
charts = dk.charts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def validator():
    import jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    return jsonschema.Draft7Validator(load_schema())


def valid(validator, spec):
    """Validate against the Vega-Lite schema itself (not only Altair's own checks)."""
    errors = sorted(validator.iter_errors(spec), key=lambda e: list(e.path))
    assert not errors, errors[0].message
    return spec


@pytest.fixture(scope="module")
def demo():
    return dk.models.load("demo")


@pytest.fixture(scope="module")
def cut(demo):
    return dk.simulate(demo, {"staff_target": 14})


def walk(spec):
    """Every dict inside a spec."""
    if isinstance(spec, dict):
        yield spec
        for v in spec.values():
            yield from walk(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from walk(v)


def inline_values(spec):
    """The rows a spec carries: inline ``values`` and top-level named ``datasets``."""
    inline = [d["values"] for d in walk(spec) if isinstance(d.get("values"), list) and d["values"]
              and isinstance(d["values"][0], dict)]
    return inline + [rows for rows in spec.get("datasets", {}).values() if rows]


def axis_titles(spec):
    return [d["axis"]["title"] for d in walk(spec) if isinstance(d.get("axis"), dict) and "title" in d["axis"]]


# --------------------------------------------------------------------------- time series

def test_time_series_labels_units_and_numbers(validator, demo, cut):
    chart = charts.time_series(cut, ["waiting_list", "staff", "served"])
    spec = valid(validator, chart.to_dict())
    # three different units -> three panels, each y-axis titled with the declared label and units
    assert len(spec["vconcat"]) == 3
    titles = axis_titles(spec)
    for text in ("Waiting list (people)", "Caseworkers (FTE)", "Young people served (people/month)",
                 "Time (month)"):
        assert text in titles
    rows = [r for values in inline_values(spec) for r in values]
    last = {r["variable"]: r["value"] for r in rows if r["time"] == cut.time[-1]}
    assert last["waiting_list"] == pytest.approx(cut.final("waiting_list"))
    assert last["staff"] == pytest.approx(cut.final("staff"))
    assert {r["series"] for r in rows} == {"Waiting list", "Caseworkers", "Young people served"}


def test_time_series_same_units_share_a_panel(validator, demo):
    r = dk.simulate(demo)
    spec = valid(validator, charts.time_series(r, ["referrals", "served"]).to_dict())
    assert len(spec["vconcat"]) == 1
    assert "people/month" in axis_titles(spec)


def test_time_series_thins_long_runs_but_keeps_the_ends(validator, demo):
    r = dk.simulate(demo, dt=1 / 64)
    spec = valid(validator, charts.time_series(r, ["waiting_list"], max_points=100).to_dict())
    times = sorted(row["time"] for values in inline_values(spec) for row in values)
    assert len(times) <= 100
    assert times[0] == r.time[0] and times[-1] == r.time[-1]


def test_time_series_base_run_is_drawn_grey(validator, demo, cut):
    spec = valid(validator, charts.time_series(cut, ["waiting_list"], base=dk.simulate(demo)).to_dict())
    marks = [d["mark"] for d in walk(spec) if isinstance(d.get("mark"), dict)]
    assert any(m.get("color") == "#777777" for m in marks)
    assert "base run" in json.dumps(spec["title"]).lower()


def test_series_never_differ_by_colour_alone(demo, cut):
    spec = charts.time_series(cut, ["referrals", "served"]).to_dict()
    enc = [d["encoding"] for d in walk(spec) if "encoding" in d and "strokeDash" in d["encoding"]]
    assert enc, "lines must carry a dash pattern as well as a colour"
    dash = enc[0]["strokeDash"]["scale"]["range"]
    colour = enc[0]["color"]["scale"]["range"]
    assert len({json.dumps(d) for d in dash}) == 2
    assert set(colour) <= set(charts.PALETTE)


def test_projector_font_sizes(demo, cut):
    spec = charts.time_series(cut, ["waiting_list"]).to_dict()
    sizes = [v for d in walk(spec) for k, v in d.items() if k.endswith("FontSize")]
    assert sizes and min(sizes) >= 14


def test_time_series_bad_input(demo, cut):
    with pytest.raises(dk.ModelError, match="did you mean 'waiting_list'"):
        charts.time_series(cut, ["waiting_lst"])
    with pytest.raises(dk.ModelError, match="takes a Result"):
        charts.time_series(cut.to_frame(), ["staff"])
    with pytest.raises(dk.ModelError, match="width"):
        charts.time_series(cut, ["staff"], width=0)
    with pytest.raises(dk.ModelError, match="base must be a Result of the same model"):
        charts.time_series(cut, ["staff"], base=dk.simulate(dk.models.load("three_objectives")))


# --------------------------------------------------------------------------- describe

def test_describe_the_demo_cut(demo, cut):
    text = charts.describe(cut, ["waiting_list", "staff"])
    assert text.startswith("Waiting list (people) rises from 60 to 1,256")
    assert "Caseworkers (FTE) falls from 14 to 12.2" in text
    # the summary travels with the chart
    assert charts.time_series(cut, ["waiting_list", "staff"]).description == text


def _series(values):
    time = np.arange(len(values), dtype=float)
    return pd.DataFrame({"x": values}, index=pd.Index(time, name="time"))


@settings(max_examples=60)
@given(st.lists(st.floats(1, 1000), min_size=3, max_size=40, unique=True))
def test_describe_monotone_series(values):
    up = sorted(values)
    down = up[::-1]
    assert " rises from " in charts.describe(_series(up), labels={"x": "X"}) or "stays level" in charts.describe(
        _series(up), labels={"x": "X"})
    text = charts.describe(_series(down), labels={"x": "X"})
    assert " falls from " in text or "stays level" in text
    assert "peak" not in text and "low of" not in text


@settings(max_examples=60)
@given(st.integers(2, 30), st.integers(2, 30), st.floats(10, 1000))
def test_describe_finds_the_peak_and_when(rise, fall, height):
    values = list(np.linspace(0, height, rise + 1)) + list(np.linspace(height, 0, fall + 1))[1:]
    text = charts.describe(_series(values), time_units="month", labels={"x": "Caseload"})
    assert text.startswith("Caseload rises from 0 to a peak of")
    assert f"in month {rise}," in text


def test_describe_says_a_turning_point_between_whole_weeks_as_a_reader_would():
    """A run in quarter-week steps turns at week 48.75; the summary says "in about week 49" (it
    said "in week 48.75"), and a turning point on a whole week stays exact."""
    time = np.arange(0, 80.25, 0.25)
    low = pd.DataFrame({"x": (time - 48.75) ** 2 + 10}, index=pd.Index(time, name="time"))
    text = charts.describe(low, time_units="week", labels={"x": "Waiting list"})
    assert "to a low of 10 in about week 49," in text and "48.75" not in text
    peak = pd.DataFrame({"x": 100 - (time - 30) ** 2 / 10}, index=pd.Index(time, name="time"))
    assert "to a peak of 100 in week 30," in charts.describe(peak, time_units="week", labels={"x": "Waiting list"})


def test_describe_level_and_scenario_frames():
    frame = pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 3, "time": [0, 1, 2] * 2, "variable": "v",
                          "value": [5, 5, 5, 1, 2, 3]})
    text = charts.describe(frame, labels={"v": "Trust"})
    assert text == "In scenario 'a', Trust stays level at about 5. In scenario 'b', Trust rises from 1 to 3 (+200%)."
    with pytest.raises(dk.ModelError, match="takes a Result"):
        charts.describe([1, 2, 3])


# --------------------------------------------------------------------------- scenarios

def test_scenarios_from_compare(validator, demo):
    frame = dk.compare(demo, {"cut posts": {"staff_target": 14}, "more posts": {"staff_target": 26}},
                       names=["waiting_list", "morale"])
    chart = charts.scenarios(frame, model=demo)
    spec = valid(validator, chart.to_dict())
    assert len(spec["vconcat"]) == 2
    enc = next(d["encoding"] for d in walk(spec) if "encoding" in d and "strokeDash" in d["encoding"])
    assert enc["strokeDash"]["scale"]["domain"] == ["base", "cut posts", "more posts"]
    assert len({json.dumps(d) for d in enc["strokeDash"]["scale"]["range"]}) == 3
    assert "people" in axis_titles(spec)
    assert "In scenario 'cut posts', Waiting list (people) rises from 60 to 1,256" in chart.description


def test_scenarios_bad_tables(demo):
    with pytest.raises(dk.ModelError, match="missing scenario"):
        charts.scenarios(pd.DataFrame({"time": [0], "variable": ["x"], "value": [1]}))
    frame = dk.compare(demo, {"cut": {"staff_target": 14}}, names=["waiting_list"])
    with pytest.raises(dk.ModelError, match="no variable 'staf'"):
        charts.scenarios(frame, ["staf"])


# --------------------------------------------------------------------------- fan

def test_fan_from_ensemble_summary_and_uncertainty(validator, demo):
    ens = dk.ensemble(demo, n=200, seed=3)
    chart = charts.fan(ens, "waiting_list", base=dk.simulate(demo))
    spec = valid(validator, chart.to_dict())
    rows = inline_values(spec)[0]
    for row in rows:
        assert row["q05"] <= row["q25"] <= row["median"] <= row["q75"] <= row["q95"]
    q = np.quantile(ens["waiting_list"][-1], [0.05, 0.95])
    assert f"between {dk.words.number(q[0])} and {dk.words.number(q[1])}" in chart.description
    assert "Across 200 runs" in chart.description
    # the summary table and dk.uncertainty give the same picture
    summary = ens.summary(["waiting_list", "staff"])
    valid(validator, charts.fan(summary, "waiting_list", model=demo).to_dict())
    unc = dk.uncertainty(demo, n=64, seed=1)
    valid(validator, charts.fan(unc, "staff").to_dict())
    with pytest.raises(dk.ModelError, match="say which"):
        charts.fan(summary)
    with pytest.raises(dk.ModelError, match="say which variable"):
        charts.fan(ens)


# --------------------------------------------------------------------------- tornado

def test_tornado(validator, demo):
    table = dk.sensitivity(demo, outputs="waiting_list",
                           params=["referral_rate", "staff_target", "hiring_delay", "base_quit_rate"])
    chart = charts.tornado(table, model=demo)
    spec = valid(validator, chart.to_dict())
    bars = [d for d in walk(spec) if d.get("mark", {}) == {"type": "bar", "size": 26, "opacity": 0.9}]
    order = bars[0]["encoding"]["y"]["sort"]
    expected = table.sort_values("swing", ascending=False)["param"].tolist()
    assert [o.split(" (")[0] for o in order] == [demo[p].label for p in expected]
    assert order[0] == "Funded caseworker posts (5–40 FTE)"
    assert chart.description.startswith("Waiting list (people) at the end moves most with funded caseworker posts")
    top = table.iloc[0]
    assert dk.words.number(top["output_low"]) in chart.description
    with pytest.raises(dk.ModelError, match="no output 'waiting'"):
        charts.tornado(table, "waiting")
    with pytest.raises(dk.ModelError, match="missing"):
        charts.tornado(table.drop(columns="swing"))


# --------------------------------------------------------------------------- frontier

def test_frontier_three_objectives(validator):
    m = dk.models.load("three_objectives")
    found = dk.frontier(m, {"service_quality": "max", "outcomes": "max", "governance": "max"}, n=80, seed=2)
    chart = charts.frontier(found, model=m)
    spec = valid(validator, chart.to_dict())
    rows = inline_values(spec)[0]
    n_front = int((~found.points["dominated"]).sum())
    assert sum(r["status"] == "on the frontier" for r in rows) == n_front
    assert chart.description.startswith(f"{n_front} of {len(found.points)} settings are on the frontier")
    enc = [d["encoding"] for d in walk(spec) if "encoding" in d and "size" in d["encoding"]]
    # the third objective is shown by colour and by size
    assert any(e["color"].get("field") == "o2" and e["size"].get("field") == "o2" for e in enc)
    assert any("higher is better" in t for t in axis_titles(spec))
    # Lesson 05 draws it in a notebook beside JupyterLab's file browser: with the third
    # objective's legend at the right the picture was 1,021 px wide and its legend title was
    # cut at "higher is b". Under the plot it is as wide as the two-objective chart.
    width = float(re.search(r'<svg[^>]*width="([\d.]+)"', charts.to_svg(chart)).group(1))
    two = charts.frontier(dk.frontier(m, {"outcomes": "max", "governance": "max"}, n=80, seed=2), model=m)
    assert width <= float(re.search(r'<svg[^>]*width="([\d.]+)"', charts.to_svg(two)).group(1)) <= 720
    with pytest.raises(dk.ModelError, match="two or three objectives"):
        charts.frontier(found, ["service_quality"])
    with pytest.raises(dk.ModelError, match="no horizon"):
        charts.frontier(found, at=3.5)


# --------------------------------------------------------------------------- calibration

def test_calibration_with_source_notes(validator, demo):
    obs = dk.simulate(demo, {"referral_rate": 45}).to_frame(["waiting_list"]).iloc[::24]
    obs["waiting_list"] *= 1 + 0.03 * np.sin(np.arange(len(obs)))
    fit = dk.calibrate(demo, obs, ["referral_rate"])
    chart = charts.calibration(fit, sources={"waiting_list": "assumption"})
    spec = valid(validator, chart.to_dict())
    points = next(v for v in inline_values(spec) if v and "kind" in v[0])
    assert [p["value"] for p in points] == pytest.approx(obs["waiting_list"].tolist())
    assert "dpmkit teaching assumption [assumption]" in json.dumps(spec["title"])
    assert f"RMSE {dk.words.number(fit.fit.loc['waiting_list', 'rmse'])}" in chart.description
    with pytest.raises(dk.ModelError, match="no evidence registered under 'nope'"):
        charts.calibration(fit, sources={"waiting_list": "nope"})
    with pytest.raises(dk.ModelError, match="not observed"):
        charts.calibration(fit, ["staff"])
    story = dk.recalibrate(demo, obs, ["referral_rate"], start=24, every=12)
    chart = charts.calibration(story)
    valid(validator, chart.to_dict())
    assert "4 refits" in chart.description
    with pytest.raises(dk.ModelError, match=r"takes the result of dk\.calibrate"):
        charts.calibration(obs)


# --------------------------------------------------------------------------- regime plane

def test_regime_path_from_a_hand_placed_journey(validator):
    journey = pd.DataFrame({"time": [2008, 2011, 2013, 2017, 2019],
                            "imposition": [0.85, 0.35, 0.2, 0.7, 0.9],
                            "plan_rigidity": [0.8, 0.7, 0.3, 0.3, 0.4],
                            "label": ["inspection", "consultation", "task groups", "cuts", "Inadequate"]})
    chart = charts.regime_path(journey, time_units="year")
    spec = valid(validator, chart.to_dict())
    text = json.dumps(spec)
    for name in charts.REGIME_CELLS.values():
        assert name in text
    assert "2011: consultation" in text
    assert chart.description == (
        "The path starts in the imposed–planned cell (Targets and terror) in 2008, moves into the "
        "negotiated–planned cell (Agreed outcomes frameworks) in 2011, moves into the negotiated–emergent cell "
        "(Learning partnerships) in 2013, moves into the imposed–emergent cell (Crisis-driven adaptation) in 2017, "
        "and ends at imposition 0.9, plan rigidity 0.4 in 2019.")


def test_regime_path_of_the_pm_regimes_model_keeps_imposed_on_the_right(validator):
    from dpmkit.models.pm_regimes import EVENTS

    r = dk.simulate(dk.models.load("pm_regimes"), events=EVENTS["surrey_journey"])
    chart = charts.regime_path(r)  # negotiation (high = negotiated) and emergence (high = emergent)
    spec = valid(validator, chart.to_dict())
    scales = [d["scale"] for d in walk(spec) if isinstance(d.get("scale"), dict) and "reverse" in d["scale"]]
    assert scales and all(s["reverse"] is True for s in scales)
    assert "Targets and terror" in chart.description
    # lesson 06 prints this description: where the path ends, to two decimals ("0.106" before)
    assert chart.description.endswith("and ends at negotiation 0.11, emergence 0.65 in 2022.")


def test_regime_path_labels_times_as_a_learner_reads_them():
    """Lesson 06's Surrey journey labelled its points '2005.5' and '2016.5', and its tooltip read
    'time 2,006' for 2005.5. Points are labelled as words.time_label says a time ('July 2005',
    the month mid-year starts), and the tooltip says when in the same words."""
    import re

    from dpmkit.models.pm_regimes import EVENTS

    r = dk.simulate(dk.models.load("pm_regimes"), events=EVENTS["surrey_journey"])
    chart = charts.regime_path(r)
    svg = charts.to_svg(chart)
    labels = re.findall(r'aria-roledescription="text mark"[^>]*>([^<]+)</text>', svg)
    assert sorted(t for t in labels if re.match(r"\d|[A-Z][a-z]+ \d{4}$", t)) == sorted([  # above or under
        "2000", "July 2005", "2011", "July 2016", "2022"])
    assert not re.search(r"\b\d{4}\.\d", svg)
    points = next(layer["data"]["values"] for layer in chart.to_dict()["layer"]
                  if "values" in layer.get("data", {}) and "point" in layer["data"]["values"][0])
    assert [p["when"] for p in points] == ["2000", "July 2005", "2011", "July 2016", "2022"]
    tips = [t for layer in chart.to_dict()["layer"] for t in layer.get("encoding", {}).get("tooltip", [])]
    assert tips and tips[0] == {"field": "when", "title": "When", "type": "nominal"}
    # Other units name the unit: a journey counted in months reads 'month 6', not a bare 6.
    months = pd.DataFrame({"time": [0, 6, 12], "imposition": [0.8, 0.5, 0.2], "plan_rigidity": [0.8, 0.5, 0.3]})
    assert "month 6" in json.dumps(charts.regime_path(months, time_units="month").to_dict())


def test_regime_path_labels_stay_on_the_plane_clear_of_the_legend():
    """Lesson 06's example journey: the label '2010: national targets' of a point at imposition
    0.8 ran off the plane's right edge, under the legend ('on the way'). A label that would
    run off now ends at its point instead. Measured in the rendered picture, each character
    at most 0.6 of the font size wide."""
    import re

    journey = pd.DataFrame({"time": [2010, 2013, 2016, 2019, 2023],
                            "imposition": [0.8, 0.4, 0.3, 0.2, 0.7],
                            "plan_rigidity": [0.85, 0.8, 0.6, 0.25, 0.2],
                            "label": ["national targets", "local plan", "partnership board", "learning cycles",
                                      "budget crisis"]})
    width = 520
    svg = charts.to_svg(charts.regime_path(journey, time_units="year", width=width))
    labels = re.findall(r'aria-roledescription="text mark" text-anchor="(\w+)" transform="translate\(([\d.]+),'
                        r'[\d.]+\)" font-family="[^"]*" font-size="([\d.]+)px"[^>]*>(\d{4}: [^<]+)</text>', svg)
    assert len(labels) == 5
    for anchor, x, size, text in labels:
        extent = 0.6 * float(size) * len(text)
        left, right = {"start": (0, extent), "end": (-extent, 0), "middle": (-extent / 2, extent / 2)}[anchor]
        assert float(x) + left >= 0 and float(x) + right <= width, f"{text!r} runs off the plane"
    assert {text: anchor for anchor, _, _, text in labels}["2013: local plan"] == "start"


def test_regime_path_bad_input():
    bad = pd.DataFrame({"time": [0, 1], "imposition": [0.2, 1.4], "plan_rigidity": [0.5, 0.5]})
    with pytest.raises(dk.ModelError, match=r"'imposition' is 1.4 at time 1, outside the plane's range"):
        charts.regime_path(bad)
    with pytest.raises(dk.ModelError, match="say which variables"):
        charts.regime_path(pd.DataFrame({"time": [0], "a": [0], "b": [0]}))
    with pytest.raises(dk.ModelError, match="x_high"):
        charts.regime_path(bad, "imposition", "plan_rigidity", x_high="left")


# --------------------------------------------------------------------------- offline display and export

def test_offline_renderer_is_never_the_cdn_or_mimetype():
    assert alt.renderers.active not in ("default", "html", "mimetype", "jupyterlab")


def test_static_svg_carries_the_description(demo, cut):
    chart = charts.time_series(cut, ["waiting_list"])
    svg = charts.static(chart).data
    assert svg.startswith("<svg") and "<desc>Waiting list (people) rises from 60 to 1,256" in svg
    from defusedxml import ElementTree

    root = ElementTree.fromstring(svg)
    assert root.get("aria-label").startswith("Waiting list (people) rises")


def test_save_png_and_svg(tmp_path, demo, cut):
    chart = charts.time_series(cut, ["waiting_list"])
    png = charts.save(chart, tmp_path / "wl.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = charts.save(chart, tmp_path / "wl.svg")
    assert "<svg" in svg.read_text()
    with pytest.raises(dk.ModelError, match=r"\.png or \.svg"):
        charts.save(chart, tmp_path / "wl.jpg")


def test_interactive_widget_is_offline(demo, cut):
    widget = charts.interactive(charts.time_series(cut, ["waiting_list"]))
    assert alt.JupyterChart._is_offline
    assert "esm.sh" not in widget._esm and "cdn.jsdelivr" not in widget._esm


def test_live_spec_matches_a_fresh_run_and_validates(validator, demo):
    live = charts.LiveTimeSeries(demo, ["waiting_list", "served"])
    r = dk.simulate(demo, {"staff_target": 30})
    spec = valid(validator, live.spec(r, dk.simulate(demo)))
    current = spec["datasets"]["current"]
    assert [row["value"] for row in current if row["variable"] == "served"][-1] == pytest.approx(r.final("served"))
    assert spec["description"] == charts.describe(r, ["waiting_list", "served"])


BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Block())
import dpmkit as dk
try:
    dk.{module}
except ImportError as err:
    print("ImportError:", err)
"""


@pytest.mark.parametrize("module,blocked", [("charts", ("altair",)), ("widgets", ("ipywidgets",))])
def test_missing_lab_extra_names_the_extra(module, blocked):
    proc = subprocess.run([sys.executable, "-c", BLOCK.format(module=module, blocked=blocked)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'ImportError:' in proc.stdout and 'pip install "dpmkit[lab]"' in proc.stdout


def test_calendar_years_are_written_as_years(validator):
    surrey = dk.models.load("surrey")
    r = dk.simulate(surrey)
    spec = valid(validator, charts.time_series(r, ["neet"]).to_dict())
    x_axes = [d["axis"] for d in walk(spec) if isinstance(d.get("axis"), dict)
              and d["axis"].get("title") == "Time (year)"]
    assert x_axes and all(a.get("format") == "d" for a in x_axes)
    # and the summary speaks of years, not "year 2011"
    text = charts.describe(r, ["neet"])
    k = int(np.argmax(r["neet"]))
    assert f"to a peak of {dk.words.number(r['neet'][k])} {dk.words.when(r.time[k], 'year')}," in text
    assert "year 20" not in text
    month_axes = [d["axis"] for d in walk(charts.time_series(dk.simulate(dk.models.load("demo")), ["staff"])
                                           .to_dict()) if isinstance(d.get("axis"), dict)]
    assert not any(a.get("format") == "d" for a in month_axes)


def test_a_time_axis_in_years_from_zero_reads_1_2_3_not_1_0_2_0():
    """Lesson 08's chart 'Steering eleven localities' (panels 160 px high) labelled its time
    axes '0.0, 1.0, 2.0 ... 10.0': a decimal that says nothing, on every panel."""
    import re

    model = dk.models.load("attractor")
    table = dk.compare(model, ["attractor_and_partnership", "imposed_targets"], names=["outcome_mean", "reported_mean"])
    svg = charts.to_svg(charts.scenarios(table, model=model, height=160))
    assert "X-axis titled 'Time (year)'" in svg
    labels = re.findall(r">(-?[\d.,]+)</text>", svg)
    assert "10" in labels and "5" in labels
    assert not any(label.endswith(".0") for label in labels), labels
    # and the chart of the eleven localities above it, drawn by time_series
    steered = dk.simulate(model, model.scenario("attractor_and_partnership"))
    svg = charts.to_svg(charts.time_series(steered, [f"outcome_{k:02d}" for k in range(1, 12)]))
    labels = re.findall(r">(-?[\d.,]+)</text>", svg)
    assert "10" in labels and not any(label.endswith(".0") for label in labels), labels


def test_eleven_series_never_share_both_colour_and_dash():
    """Lesson 08's chart of the eleven localities drew locality 09 exactly as locality 01 (solid
    blue), 10 as 02 and 11 as 03: the palette and its dashes went round together."""
    model = dk.models.load("attractor")
    steered = dk.simulate(model, model.scenario("attractor_and_partnership"))
    spec = charts.time_series(steered, [f"outcome_{k:02d}" for k in range(1, 12)]).to_dict()
    scales = {key: d[key]["scale"]["range"] for d in walk(spec) for key in ("color", "strokeDash")
              if isinstance(d.get(key), dict) and "range" in d[key].get("scale", {})}
    pairs = list(zip(map(str, scales["color"]), map(str, scales["strokeDash"])))
    assert len(pairs) == 11 and len(set(pairs)) == 11
    scen = charts._style._series_scales([f"s{k}" for k in range(11)], "Series")
    pairs = list(zip(*(map(str, enc.to_dict()["scale"]["range"]) for enc in scen)))
    assert len(set(pairs)) == 11


def test_calibration_cites_the_source_of_each_observed_point(validator):
    from dpmkit.models import surrey

    model = dk.models.load("surrey")
    observed = surrey.observed()
    fit = dk.calibrate(model, observed, ["neet_spell"])
    chart = charts.calibration(fit, sources=observed.attrs["sources"])
    spec = valid(validator, chart.to_dict())
    points = next(v for v in inline_values(spec) if v and "source" in v[0])
    for point in points:
        key = next(k for t, k in observed.attrs["sources"].items() if abs(t - point["time"]) < 1e-6)
        src = dk.evidence.get(key)
        assert point["source"] == f"{src.citation} [{src.status}]"
    assert "[published]" in chart.description
    with pytest.raises(dk.ModelError, match="nothing was observed then"):
        charts.calibration(fit, sources={2011.0: "surrey_neet_2009"})


# --------------------------------------------------------------------------- dates as people say them, speed

def test_calendar_tooltips_say_the_month_not_a_decimal(validator):
    surrey = dk.models.load("surrey")
    run = dk.simulate(surrey)
    live = charts.LiveTimeSeries(surrey, ["neet"])
    spec = valid(validator, live.spec(run, run))
    rows = spec["datasets"]["current"]
    # 2010.5 is 1 July 2010 (the model counts t = 2010.0 as 1 January)
    july = next(r for r in rows if abs(r["time"] - 2010.5) < 1e-6)
    assert july["when"] == "July 2010"
    assert all(r["when"] == dk.words.time_label(r["time"], "year") for r in rows)
    text = json.dumps(spec)
    assert '"field": "when"' in text and '"title": "When"' in text
    assert '"field": "time", "format"' not in text  # no tooltip shows 2,010.5
    # a model in months keeps numbers (week 12 is clear as it is) and has no 'when'
    demo = dk.models.load("demo")
    rows = charts.LiveTimeSeries(demo, ["waiting_list"]).spec(dk.simulate(demo))["datasets"]["current"]
    assert "when" not in rows[0]


def test_scenario_tooltips_say_the_month():
    surrey = dk.models.load("surrey")
    frame = dk.compare(surrey, {"slow": {"decommissioning_years": 5}}, names=["neet"])
    spec = charts.scenarios(frame, model=surrey).to_dict()
    values = []

    def collect(node):
        if isinstance(node, dict):
            if isinstance(node.get("values"), list):
                values.extend(r for r in node["values"] if isinstance(r, dict))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(spec)
    assert values and all("when" in r for r in values)
    assert {r["when"] for r in values if abs(r["time"] - 2014.25) < 1e-6} == {"April 2014"}
    assert '"field": "when"' in json.dumps(spec)


def test_live_templates_are_built_once_per_model_outputs_and_size(demo):
    first = charts.LiveTimeSeries(demo, ["waiting_list"], width=400, height=200)
    again = charts.LiveTimeSeries(demo, ["waiting_list"], width=400, height=200)
    assert again.template is first.template  # the room's 30 pages share one template
    other = charts.LiveTimeSeries(demo, ["waiting_list"], width=400, height=200, title="Another title")
    assert other.template is not first.template and "Another title" in json.dumps(other.template)
    # a model that differs in a label gets its own template (keys follow what the chart shows)
    relabelled = demo.with_variables(dk.Stock("waiting_list", 60, units="people", label="Queue"))
    mine = charts.LiveTimeSeries(relabelled, ["waiting_list"], width=400, height=200)
    assert mine.template is not first.template and "Queue" in json.dumps(mine.template)
    # sharing is safe: a spec never changes the template it came from
    before = json.dumps(first.template, sort_keys=True)
    spec = first.spec(dk.simulate(demo))
    spec["description"] = "changed"
    assert json.dumps(first.template, sort_keys=True) == before


def test_the_vega_lite_schema_uses_no_iri_format():
    # dpmkit imports Altair with rfc3987-syntax hidden (it only checks the "iri" formats) and
    # isoduration (only "duration"); this stays right only while Altair's schema asks for
    # neither, and Altair validates with a draft-7 validator (which has no "duration").
    from altair.vegalite.v6.schema.core import load_schema

    formats = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                formats.add(node["format"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(load_schema())
    assert formats and not {f for f in formats if "iri" in f or f == "duration"}, formats
    assert "draft-07" in load_schema()["$schema"]


def test_importing_the_charts_leaves_rfc3987_importable():
    code = ("import sys, importlib.util\n"
            "assert importlib.util.find_spec('rfc3987_syntax') is not None, 'not installed'\n"
            "assert importlib.util.find_spec('isoduration') is not None, 'not installed'\n"
            "import dpmkit.charts, jsonschema\n"
            "assert 'rfc3987_syntax' not in sys.modules and 'isoduration' not in sys.modules\n"
            "assert 'arrow' not in sys.modules\n"
            "import rfc3987_syntax, isoduration\n"
            "assert isoduration.parse_duration('P1D')\n"
            "# the formats the Vega-Lite schema uses are still checked\n"
            "checker = jsonschema.Draft7Validator.FORMAT_CHECKER\n"
            "assert not checker.conforms('a b', 'uri') and checker.conforms('https://example.org/a', 'uri')\n"
            "print(rfc3987_syntax.is_valid_syntax('iri', 'https://example.org/a'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    if "not installed" in done.stderr:
        pytest.skip("rfc3987-syntax is not installed here")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"


BUNDLE = """
import sys, vl_convert
from dpmkit.charts import render
if sys.argv[1] == "second":
    def refuse(*args, **kwargs):
        raise AssertionError("bundled again")
    vl_convert.javascript_bundle = refuse
render._enable_offline_widgets()
import altair as alt
assert alt.JupyterChart._is_offline and "esm.sh" not in alt.JupyterChart._esm
print(render._bundle_path())
"""


def test_offline_chart_bundle_is_made_once_per_machine(tmp_path):
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT), "DPMKIT_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-c", BUNDLE, "first"], capture_output=True, text=True, timeout=600,
                           env=env, cwd=ROOT)
    assert first.returncode == 0, first.stderr[-2000:]
    path = Path(first.stdout.strip())
    assert path.parent == tmp_path / "cache" and path.stat().st_size > 100_000
    second = subprocess.run([sys.executable, "-c", BUNDLE, "second"], capture_output=True, text=True, timeout=600,
                            env=env, cwd=ROOT)
    assert second.returncode == 0, second.stderr[-2000:]  # read from the cache, not bundled again
    # an unwritable cache folder still gives offline charts (bundled in memory)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    env["DPMKIT_CACHE_DIR"] = str(blocked / "sub")
    third = subprocess.run([sys.executable, "-c", BUNDLE, "first"], capture_output=True, text=True, timeout=600,
                           env=env, cwd=ROOT)
    assert third.returncode == 0, third.stderr[-2000:]


def test_live_template_cache_is_bounded_and_thread_safe(demo):
    from concurrent.futures import ThreadPoolExecutor

    from dpmkit.charts import timeseries

    def build(i):
        return charts.LiveTimeSeries(demo, ["waiting_list"], width=300 + i % 80, height=200).template

    with ThreadPoolExecutor(4) as pool:
        templates = list(pool.map(build, range(160)))
    assert len(timeseries._TEMPLATES) <= timeseries._TEMPLATE_LIMIT
    assert all(t["vconcat"][0]["width"] == 300 + i % 80 for i, t in enumerate(templates))


@pytest.mark.parametrize("model_name,names", [("surrey", ["neet"]), ("surrey", ["neet", "trust", "budget"]),
                                              ("demo", ["waiting_list", "staff", "served"])])
@pytest.mark.parametrize("with_base", [True, False])
@pytest.mark.parametrize("title", [None, "My title"])
def test_the_static_chart_is_the_live_template_with_its_rows(validator, model_name, names, with_base, title):
    # One source: time_series() is LiveTimeSeries' template (written as plain dicts, no
    # Altair objects at run time) with the run's rows as its named datasets; both are valid
    # Vega-Lite, and a widget's chart after its first run is the chart a notebook prints.
    model = dk.models.load(model_name)
    run = dk.simulate(model)
    lever = model.policy_levers[0]
    other = dk.simulate(model, {lever.name: (lever.default + lever.bounds[1]) / 2})
    base = run if with_base else None
    live = charts.LiveTimeSeries(model, names, with_base=with_base, title=title, width=400, height=200,
                                 max_points=dk.charts.MAX_POINTS)
    static = charts.time_series(other, names, base=base, title=title, width=400, height=200).to_dict()
    assert static.pop("description") == charts.describe(other, names)
    datasets = static.pop("datasets")
    assert static == live.template
    assert datasets == live.spec(other, base)["datasets"]
    mine = [r["value"] for r in datasets["current"] if r["variable"] == names[0]]
    assert mine == pytest.approx(list(other[names[0]][:: max(1, len(other.time) // len(mine))])[: len(mine)])
    valid(validator, live.spec(other, base))
    valid(validator, charts.time_series(other, names, base=base, title=title).to_dict())


@pytest.mark.parametrize("extra", [{"x_domain": None, "base_note": "Grey: yours"}, {"x_domain": (2008, 2016)}])
def test_live_template_options_are_valid_vega_lite(validator, extra):
    surrey = dk.models.load("surrey")
    live = charts.LiveTimeSeries(surrey, ["neet", "budget"], **extra)
    run = dk.simulate(surrey)
    spec = live.spec(run, run)
    valid(validator, spec)
    x = spec["vconcat"][0]["layer"][1]["encoding"]["x"]["scale"]
    assert x.get("domain") == (None if extra["x_domain"] is None else [2008.0, 2016.0])
    assert spec["title"]["subtitle"] == extra.get("base_note", "Grey lines: base run")


def test_live_spec_reuses_the_base_rows_and_the_date_labels(demo):
    surrey = dk.models.load("surrey")
    live = charts.LiveTimeSeries(surrey, ["neet"])
    base, other = dk.simulate(surrey), dk.simulate(surrey, {"decommissioning_years": 3})
    first, second = live.spec(other, base), live.spec(dk.simulate(surrey, {"decommissioning_years": 4}), base)
    assert second["datasets"]["base"] is first["datasets"]["base"]  # the same base run: rows made once
    new_base = live.spec(other, other)["datasets"]["base"]
    assert new_base is not first["datasets"]["base"]
    assert [r["value"] for r in new_base] == [r["value"] for r in first["datasets"]["current"]]
    assert [r["when"] for r in new_base] == [dk.words.time_label(r["time"], "year") for r in new_base]


@pytest.mark.parametrize("helper", ["1", "0"])  # drawn by the chart helper process, or in the kernel
def test_the_first_chart_of_a_kernel_says_what_it_is_doing_then_clears_the_note(tmp_path, helper):
    # Loading Altair and starting vl-convert's engine take a second or more on the first
    # chart of a session: the cell says so at once, and the note is cleared when done.
    from dpmkit.charts import _LOADING
    from dpmkit.charts.render import FIRST_DRAWING

    def run(code):
        return [(kind, content["data"].get("text/plain", ""), "<svg" in content["data"].get("image/svg+xml", ""),
                 content.get("transient", {}).get("display_id")) for kind, content in displays(session.run(code))]

    with kernel(tmp_path, cwd=ROOT, PYTHONPATH=str(ROOT), DPMKIT_CHART_HELPER=helper) as session:
        chart = "dk.charts.time_series(dk.simulate(dk.models.load('demo')), ['waiting_list'])"
        first = run("import dpmkit as dk\n" + chart)
        kinds = [(kind, text, svg) for kind, text, svg, _ in first]
        # Each note is cleared in place, and the next output of the cell takes the same place
        # (the next note, then the chart itself), so a saved notebook keeps no empty output.
        assert kinds == [("display_data", _LOADING, False), ("update_display_data", "", False),
                         ("update_display_data", FIRST_DRAWING, False), ("update_display_data", "", False),
                         ("update_display_data", kinds[-1][1], True)]
        assert len({display_id for *_, display_id in first}) == 1
        again = run(chart)  # later charts draw at once: no note
        assert [(kind, svg) for kind, _, svg, _ in again] == [("execute_result", True)]
        # the kit's own chart is shown without Altair's schema check (the tests validate it);
        # a chart made with Altair directly is checked as before
        count = ("from altair.utils import schemapi\n_real, _n = schemapi.validate_jsonschema, []\n"
                 "schemapi.validate_jsonschema = lambda *a, **k: _n.append(1) or _real(*a, **k)\n")
        assert [svg for _, _, svg, _ in run(count + chart)] == [True]
        assert [text for _, text, _, _ in run("len(_n)")] == ["0"]
        assert [svg for _, _, svg, _ in run("import altair as alt\nalt.Chart(alt.Data(values=[{'a': 1}]))"
                                           ".mark_point().encode(x='a:Q')")] == [True]
        assert [text for _, text, _, _ in run("len(_n) > 0")] == ["True"]
        widget_picture = run("dk.charts.to_svg(dk.charts.time_series(dk.simulate(dk.models.load('demo'))))[:4]")
        assert [text for _, text, _, _ in widget_picture] == ["'<svg'"]
        helper_ran = run("from dpmkit.charts._drawer import Helper\nHelper.proc is not None")
        assert [text for _, text, _, _ in helper_ran] == [str(helper == "1")]


# ----------------------------------------------------------------------------- pictures drawn before
def test_a_chart_drawn_before_is_shown_again_without_starting_the_drawing_engine(tmp_path):
    # A learner who reopens a lesson (or restarts and runs every cell) asks for the same charts
    # with the same numbers: the second kernel shows the very SVG the first drew, with no
    # "Drawing the chart..." wait, and vl-convert is never loaded while every chart was drawn before.
    from dpmkit.charts.render import FIRST_DRAWING

    chart = "import dpmkit as dk\ndk.charts.time_series(dk.simulate(dk.models.load('surrey')), ['neet'])"
    other = "dk.charts.time_series(dk.simulate(dk.models.load('surrey'), {'cut_fraction': 0.1}), ['neet'])"
    wait = "import threading\n[t.join() for t in threading.enumerate() if t.name == 'dpmkit-picture']"
    engine = "import sys\nprint('vl_convert' in sys.modules)"

    def shown(session, code):
        out = displays(session.run(code))
        return ([c["data"]["image/svg+xml"] for _, c in out if "image/svg+xml" in c["data"]],
                [c["data"].get("text/plain") for _, c in out])

    def printed(session, code):
        return "".join(m["content"]["text"] for m in session.run(code) if m["header"]["msg_type"] == "stream")

    with kernel(tmp_path, cwd=ROOT, PYTHONPATH=str(ROOT), DPMKIT_CHART_HELPER="0") as first:
        (drawn,), notes = shown(first, chart)
        assert FIRST_DRAWING in notes
        first.run(wait)
    kept = list((tmp_path / "cache" / "pictures").iterdir())
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == drawn
    with kernel(tmp_path, cwd=ROOT, PYTHONPATH=str(ROOT), DPMKIT_CHART_HELPER="0") as second:
        (again,), notes = shown(second, chart)
        assert again == drawn and FIRST_DRAWING not in notes
        assert printed(second, engine).split() == ["False"]
        # other numbers are another chart: drawn afresh (the engine starts now, and says so)
        (changed,), notes = shown(second, other)
        assert changed != drawn and FIRST_DRAWING in notes
        assert printed(second, engine).split() == ["True"]
        second.run(wait)
    assert len(list((tmp_path / "cache" / "pictures").iterdir())) == 2
    # a picture cut short (a full disk, an edited file) is drawn again and replaced, never shown
    kept[0].write_text(drawn[: len(drawn) // 2], encoding="utf-8")
    with kernel(tmp_path, cwd=ROOT, PYTHONPATH=str(ROOT), DPMKIT_CHART_HELPER="0") as third:
        (redrawn,), notes = shown(third, chart)
        assert redrawn == drawn and FIRST_DRAWING in notes
        third.run(wait)
    assert kept[0].read_text(encoding="utf-8") == drawn


def test_picture_names_follow_the_whole_chart_and_nothing_else():
    from dpmkit.charts import _pictures

    spec = charts.time_series(dk.simulate(dk.models.load("demo")), ["staff"]).to_dict()
    name = _pictures.name_for(spec, "v6_4")
    assert _pictures.NAMES.fullmatch(name)
    assert _pictures.name_for(dict(reversed(list(spec.items()))), "v6_4") == name  # key order is not content
    assert _pictures.name_for(spec, "v5_20") != name  # another Vega-Lite: another drawing
    changed = json.loads(json.dumps(spec))
    rows = next(iter(changed["datasets"].values()))
    rows[0]["value"] = rows[0]["value"] + 1e-9  # one number of the data, in its last digits
    assert _pictures.name_for(changed, "v6_4") != name
    assert _pictures.name_for({"data": {"values": [{"a": float("nan")}]}}, "v6_4")  # NaN is still JSON here
    assert _pictures.name_for({"data": {"values": [{"a": object()}]}}, "v6_4") is None  # not JSON: just drawn


def test_the_pictures_kept_are_bounded_and_the_least_recently_used_go_first(tmp_path):
    import os

    from dpmkit.charts import _pictures

    svg = "<svg>" + "x" * 1000 + "</svg>"
    names = [f"{i:040x}.svg" for i in range(6)]
    for age, name in enumerate(names):
        (tmp_path / name).write_text(svg, encoding="utf-8")
        os.utime(tmp_path / name, (1_000_000 + age, 1_000_000 + age))
    (tmp_path / "notes.txt").write_text("not a picture", encoding="utf-8")
    assert _pictures.read(tmp_path, names[0]) == svg  # read now: the most recently used
    assert _pictures.prune(tmp_path, max_files=4) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([names[0], *names[3:], "notes.txt"])
    assert _pictures.prune(tmp_path, max_files=10, max_bytes=2 * len(svg)) == 2  # by size too
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([names[0], names[5], "notes.txt"])
    (tmp_path / names[1]).write_text("<svg>not closed", encoding="utf-8")
    assert _pictures.read(tmp_path, names[1]) is None
    assert _pictures.read(tmp_path, "f" * 40 + ".svg") is None  # never drawn
    big = "<svg>" + "x" * _pictures.MAX_FILE + "</svg>"
    assert _pictures.keep(tmp_path, names[2], big) is None  # too large to keep
    _pictures.keep(tmp_path, names[2], svg).join()
    assert _pictures.read(tmp_path, names[2]) == svg
    (tmp_path / "blocked").write_text("a file where the folder should be", encoding="utf-8")
    _pictures.keep(tmp_path / "blocked" / "sub", names[3], svg).join()  # cannot be written: nothing raised
    assert not (tmp_path / "blocked").is_dir()
    # a folder anyone can write to is never trusted with what a notebook shows
    made = tmp_path / "new" / "pictures"
    assert _pictures.usable(made) and made.stat().st_mode & 0o777 == 0o700
    made.chmod(0o777)
    assert not _pictures.usable(made)
    assert not _pictures.usable(tmp_path / "blocked" / "pictures")  # cannot be made


# ----------------------------------------------------------------------------- the chart helper process
def _helper_specs():
    surrey = dk.models.load("surrey")
    run = dk.simulate(surrey)
    demo = dk.models.load("demo")
    return [charts.time_series(run, ["neet"]).to_dict(),
            charts.time_series(dk.simulate(demo, {"staff_target": 14}), ["waiting_list", "staff"],
                               base=dk.simulate(demo)).to_dict(),
            charts.LiveTimeSeries(surrey, ["neet"]).spec(run, run),
            {"data": {"values": [{"a": 1.0, "b": float("nan")}, {"a": 2.0, "b": 3.0}]}, "mark": "point",
             "encoding": {"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "quantitative"}}}]


def test_the_chart_helper_draws_the_same_svg_as_vl_convert_in_this_process():
    import vl_convert

    from dpmkit.charts._drawer import Helper
    from dpmkit.charts.render import _vl_version

    assert Helper.proc is None  # outside a kernel nothing starts one
    try:
        assert Helper.start()
        for spec in _helper_specs():
            drawn = Helper.draw(spec, _vl_version())
            assert drawn.startswith("<svg") and drawn == vl_convert.vegalite_to_svg(spec, vl_version=_vl_version())
        # vl-convert's own errors come back as the ValueError it raises in this process
        with pytest.raises(ValueError, match="Vega-Lite to SVG conversion failed"):
            Helper.draw({"mark": 5, "data": {"values": []}}, _vl_version())
        assert Helper.draw({"mark": "point", "data": {"values": [{"a": object()}]}}, _vl_version()) is None  # not JSON
        assert Helper.proc.poll() is None  # still serving
        # a helper that died is replaced by drawing in this process, for good
        Helper.proc.kill()
        Helper.proc.wait()
        spec = _helper_specs()[0]
        assert Helper.draw(spec, _vl_version()) is None and Helper.failed and Helper.proc is None
        assert charts.vl_convert_svg(spec) == vl_convert.vegalite_to_svg(spec, vl_version=_vl_version())
    finally:
        Helper.stop()
        Helper.failed = False


def test_only_a_jupyter_kernel_with_a_core_to_spare_wants_the_chart_helper(monkeypatch):
    import os

    from dpmkit.charts import _drawer

    monkeypatch.setenv("DPMKIT_CHART_HELPER", "1")
    assert not _drawer.wanted()  # pytest: no kernel, whatever the setting
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.9, 1.0, 1.0))
    assert _drawer.spare_core()
    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 0.5, 0.5))
    assert not _drawer.spare_core()
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert _drawer.spare_core()


def _ended(pid):
    """True when process ``pid`` is gone (or a zombie waiting for its new parent to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_kernel_draws_its_charts_in_the_helper_and_the_helper_ends_with_the_kernel(tmp_path):
    import ast
    import time

    def value(session, code):
        # the cell's result (in the place of a progress note, if the cell showed one)
        out = [c["data"].get("text/plain", "") for _, c in displays(session.run(code))]
        return ast.literal_eval(out[-1])

    with kernel(tmp_path, cwd=ROOT, PYTHONPATH=str(ROOT), DPMKIT_CHART_HELPER="1") as session:
        value(session, "import dpmkit as dk\nfrom dpmkit.charts._drawer import Helper\n1")
        pid = value(session, "Helper.proc.pid")
        # the chart shown as the cell's result is drawn by the helper: the kernel never
        # imports vl-convert (its engine would hold the kernel for a second)
        drawn = value(session, "import sys\n"
                               "c = dk.charts.time_series(dk.simulate(dk.models.load('surrey')), ['neet'])\n"
                               "shown = c._repr_mimebundle_()['image/svg+xml']\n"
                               "(shown.startswith('<svg'), Helper.proc.poll() is None, 'vl_convert' in sys.modules)")
        assert drawn == (True, True, False)
        # byte for byte what vl-convert draws in the kernel itself
        assert value(session, "import vl_convert\nfrom dpmkit.charts.render import _vl_version\n"
                              "shown == vl_convert.vegalite_to_svg(c.to_dict(), vl_version=_vl_version())")
        assert not _ended(pid)
    deadline = time.monotonic() + 10
    while not _ended(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _ended(pid), "the chart helper outlived its kernel"


# ----------------------------------------------------------------------------- display without Altair's check
def _every_builder(demo):
    """One chart from each builder whose charts a notebook displays without Altair's check."""
    from dpmkit.models.pm_regimes import EVENTS

    obs = dk.simulate(demo, {"referral_rate": 45}).to_frame(["waiting_list"]).iloc[::24]
    three = dk.models.load("three_objectives")
    return {
        "time_series": charts.time_series(dk.simulate(dk.models.load("surrey")), ["neet", "budget"]),
        "time_series with base": charts.time_series(dk.simulate(demo, {"staff_target": 14}), ["waiting_list"],
                                                    base=dk.simulate(demo)),
        "scenarios": charts.scenarios(dk.compare(demo, {"cut": {"staff_target": 14}}, names=["waiting_list"]),
                                      model=demo),
        "fan": charts.fan(dk.ensemble(demo, n=40, seed=3), "waiting_list"),
        "tornado": charts.tornado(dk.sensitivity(demo, outputs="waiting_list", params=["referral_rate",
                                                                                      "staff_target"]), model=demo),
        "frontier": charts.frontier(dk.frontier(three, {"service_quality": "max", "outcomes": "max"}, n=30, seed=2),
                                    model=three),
        "calibration": charts.calibration(dk.calibrate(demo, obs, ["referral_rate"])),
        "regime_path": charts.regime_path(dk.simulate(dk.models.load("pm_regimes"), events=EVENTS["surrey_journey"])),
    }


def test_kit_charts_display_unchecked_as_altair_would_and_are_valid_vega_lite(validator, demo, monkeypatch):
    # A notebook shows the kit's own charts without Altair's schema check (about 0.1 s of the
    # first chart of a kernel, 0.3-0.5 s under load): the check moves here, to the tests, where
    # every builder's chart must be valid Vega-Lite, and the picture is byte for byte the one
    # Altair's display draws.
    from altair.utils import schemapi

    from dpmkit.charts import render
    from dpmkit.charts._style import _unchanged_since_built

    checks = []
    real = schemapi.validate_jsonschema
    monkeypatch.setattr(schemapi, "validate_jsonschema", lambda *a, **k: checks.append(1) or real(*a, **k))
    for name, chart in _every_builder(demo).items():
        assert _unchanged_since_built(chart), name
        valid(validator, chart.to_dict())
        checks.clear()
        shown = render._mimebundle(chart)
        assert not checks, f"{name}: displayed through Altair's schema check"
        assert shown["image/svg+xml"].startswith("<svg")
        assert shown == chart._repr_mimebundle_(), name  # Altair's own display: checked, same picture
        assert checks, name


def test_a_kit_chart_changed_afterwards_is_checked_by_altair_as_usual(demo):
    from dpmkit.charts import render
    from dpmkit.charts._style import _unchanged_since_built

    chart = charts.time_series(dk.simulate(demo), ["waiting_list"])
    assert _unchanged_since_built(chart)
    assert not _unchanged_since_built(chart.properties(width=200))  # Altair's methods make new charts
    assert not _unchanged_since_built(chart & chart)
    assert not _unchanged_since_built(alt.Chart(pd.DataFrame({"a": [1]})).mark_point())
    chart.title = 5  # changed in place, and not valid Vega-Lite
    assert not _unchanged_since_built(chart)
    calls = []
    original = type(chart)._repr_mimebundle_
    try:
        type(chart)._repr_mimebundle_ = lambda self, *a, **k: calls.append(self) or {}
        assert render._mimebundle(chart) == {} and calls == [chart]  # Altair's display, which checks it
    finally:
        type(chart)._repr_mimebundle_ = original
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        chart.to_dict()


def test_a_time_series_chart_goes_inside_and_beside_other_charts(validator):
    # It used to carry the theme's config and its rows as top-level datasets, which Altair
    # refuses inside another chart (TypeError). Inside, its rows move to the top under names
    # made from the rows, so two runs' "current" rows stay apart.
    surrey = dk.models.load("surrey")
    base, other = dk.simulate(surrey), dk.simulate(surrey, {"decommissioning_years": 5})
    first = charts.time_series(base, ["neet"])
    second = charts.time_series(other, ["neet"])
    with_base = charts.time_series(other, ["neet", "budget"], base=base)
    for combined in (first & second, alt.vconcat(first, second), first | with_base, alt.hconcat(with_base, first),
                     first & (second | with_base), alt.vconcat(first, first.properties(title="again"), second),
                     with_base & first & second):
        spec = valid(validator, combined.to_dict())
        drawn = []
        for part in walk(spec):
            if isinstance(part.get("data"), dict) and "name" in part["data"]:
                drawn.append(part["data"]["name"])
        assert set(drawn) <= set(spec["datasets"])
        neet = {tuple(round(r["value"], 9) for r in rows if r["variable"] == "neet")
                for rows in spec["datasets"].values()}
        assert {tuple(round(v, 9) for v in run["neet"][:: max(1, len(run.time) // 190)][:190])
                for run in (base, other)} <= neet  # both runs' rows are there, apart
        assert charts.to_svg(combined).startswith("<svg")
    # each part draws its own run's rows
    both = (first & second).to_dict()
    assert both["datasets"][both["data"]["name"]] == first.to_dict()["datasets"]["current"]
    assert both["datasets"][both["vconcat"][-1]["data"]["name"]] == second.to_dict()["datasets"]["current"]
    # the same chart twice: Altair lifts its data reference up, and the rows keep their name
    twice = valid(validator, alt.vconcat(first, first).to_dict())
    assert twice["data"] == {"name": "current"} and list(twice["datasets"]) == ["current"]
    # on its own the chart is written exactly as before (the live template and its rows)
    alone = first.to_dict()
    assert set(alone["datasets"]) == {"current"} and alone["data"] == {"name": "current"}
    with pytest.raises(TypeError, match="Concatenated charts cannot be layered"):
        first + second  # Altair's own message: layer the parts before concatenating


def test_a_chart_helper_that_never_answers_is_stopped_and_the_kernel_draws(monkeypatch):
    # Helper.draw waited for its reply without a bound: a hung helper froze the kernel.
    import threading

    import vl_convert

    from dpmkit.charts import _drawer
    from dpmkit.charts._drawer import Helper
    from dpmkit.charts.render import _vl_version

    silent = "import sys, time\nfor line in sys.stdin:\n    time.sleep(3600)\n"
    monkeypatch.setattr(_drawer, "HELPER", silent)
    monkeypatch.setattr(Helper, "timeout", 0.5)
    spec = _helper_specs()[0]
    done = {}
    try:
        assert Helper.start()
        hung = Helper.proc

        def draw():
            done["helper"] = Helper.draw(spec, _vl_version())
            done["svg"] = charts.vl_convert_svg(spec)

        worker = threading.Thread(target=draw, daemon=True)
        worker.start()
        worker.join(120)  # a bound on the test only: the drawing itself waits Helper.timeout
        assert not worker.is_alive(), "Helper.draw still waiting for a helper that never answers"
        assert done["helper"] is None and Helper.failed and Helper.proc is None
        assert hung.wait(timeout=30) is not None  # the hung helper was stopped
        assert done["svg"] == vl_convert.vegalite_to_svg(spec, vl_version=_vl_version())  # drawn in the kernel
    finally:
        Helper.stop()
        Helper.failed = False


def test_a_scenario_named_like_code_reads_as_words_in_the_legend_and_the_description():
    """Lessons 04 and 08 compare the models' own scenarios, named like code: the legend read
    ``no_coproduction``. A name like that reads "No coproduction"; a learner's own name with spaces,
    or one word such as ``base``, stays as typed, and so does every name when two would read alike."""
    import json

    m = dk.models.load("surrey")
    table = dk.compare(m, ["no_coproduction", "faster_decommissioning"], names=["neet"])
    spec = dk.charts.scenarios(table, model=m).to_dict()
    shown = json.dumps(spec)
    assert "No coproduction" in shown and "Faster decommissioning" in shown
    assert "no_coproduction" not in shown and "faster_decommissioning" not in shown
    assert "In scenario 'base'," in spec["description"]
    assert "In scenario 'No coproduction'," in spec["description"]
    alike = table.assign(scenario=table["scenario"].replace({"base": "No coproduction"}))
    shown = json.dumps(dk.charts.scenarios(alike, model=m).to_dict())
    assert "no_coproduction" in shown  # two names would both read "No coproduction": both kept as they are


def test_a_long_title_wraps_instead_of_widening_the_chart():
    """Vega-Lite does not wrap a title: a long one made the whole chart as wide as the title (the
    attractor game's 2x2 on the facilitator's debrief was 1,242 px and its title ran off the page)."""
    import re

    from dpmkit.charts import to_svg
    from dpmkit.charts._style import TITLE_LINE

    run = dk.simulate(dk.models.load("demo"))
    long = "A title that is much longer than the chart is wide, as a facilitator might type it for the projector"
    titled, plain = (dk.charts.time_series(run, ["waiting_list"], title=t) for t in (long, None))

    def width(chart):
        return int(re.search(r'<svg[^>]*width="(\d+)"', to_svg(chart)).group(1))

    assert width(titled) == width(plain)
    lines = titled.to_dict()["title"]["text"]
    assert isinstance(lines, list) and " ".join(lines) == long and max(map(len, lines)) <= TITLE_LINE
    assert dk.charts.time_series(run, ["waiting_list"], title="Waiting list").to_dict()["title"]["text"] == \
        "Waiting list"  # a short title stays one line


def test_regime_path_points_at_one_place_share_a_label_and_the_middle_is_clear_of_cell_names():
    """A game's rounds that change nothing leave the room at the centre of the 2x2, where it starts:
    their labels ("year 0: round 1", "year 2: round 2") were drawn over each other and over the lower
    cells' names, which sat just under the middle. Now one label says both, and the lower cells'
    names sit at the plane's bottom corners."""
    journey = pd.DataFrame({"time": [0, 2, 4], "imposition": [0.5, 0.5, 0.8], "plan_rigidity": [0.5, 0.505, 0.2],
                            "label": ["round 1", "round 2", "round 3"]})
    spec = charts.regime_path(journey, time_units="year").to_dict()
    def drawn_text(spec):  # the data of the text marks that label points
        return [v for layer in spec["layer"] if layer["mark"]["type"] == "text"
                for v in layer.get("data", {}).get("values", []) if "text" in v]

    texts = drawn_text(spec)
    assert sorted(v["text"] for v in texts) == ["year 0: round 1 · year 2: round 2", "year 4: round 3"]
    cells = {v["head"]: v for layer in spec["layer"] for v in layer.get("data", {}).get("values", []) if "head" in v}
    assert cells["Negotiated – emergent"]["ty"] == pytest.approx(0.02)  # the bottom corner, not under the middle
    assert cells["Imposed – planned"]["ty"] == pytest.approx(0.98)
    # a label near the bottom is lifted clear of the bottom corners' names
    low = pd.DataFrame({"time": [0, 1], "imposition": [0.2, 0.3], "plan_rigidity": [0.03, 0.6]})
    rows = drawn_text(charts.regime_path(low).to_dict())
    assert min(v["ly"] for v in rows) >= 0.13


def test_a_chart_citing_a_long_source_is_no_wider_than_without_it():
    """Walking lesson 04 in JupyterLab (1,280 px window, file browser open): its calibration chart
    cites each observed point's source in the subtitle, one line each, and Vega-Lite widened the
    picture to 887 px to hold the longest ("Governance International, case study: ..."), which
    the notebook cut off at 848 px. A long subtitle line wraps, so the chart is as wide as without
    its sources."""
    import re

    from dpmkit.models import surrey

    model = dk.models.load("surrey")
    data = surrey.observed()
    fit = dk.calibrate(model, data, params=["neet_spell"])
    keys = list(data.attrs["sources"].values())
    cited = dk.charts.calibration(fit, sources={"neet": keys})
    plain = dk.charts.calibration(fit)

    def width(chart):
        return float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', dk.charts.to_svg(chart))[1])

    assert width(cited) <= width(plain) + 20 < 848
    lines = cited.to_dict()["title"]["subtitle"]
    assert any("Governance International" in line for line in lines)
    assert all(len(line) <= 80 for line in lines)


def test_a_tornado_with_long_parameter_names_fits_beside_the_file_browser():
    """Lesson 07's tornado (eight gaming parameters, names such as "Gaming adjustment time (0.1–3
    year)") was 902 px wide: JupyterLab, 1,280 px window with the file browser open, showed 848 px
    and cut off its axis's last number. The names take their room from the bars, so the whole
    picture is about as wide as a time series."""
    import re

    model = dk.models.load("targets_vs_learning")
    params = ["max_gaming_gap", "gaming_time", "parking_rate", "max_parked_share", "incentive_strength",
              "outcome_target", "reporting_burden", "crowding_out"]

    def gap(runs):
        return runs.at(5, "reported_performance") - runs.at(5, "true_performance")

    chart = dk.charts.tornado(dk.sensitivity(model, outputs={"Gap at year 5 (reported minus true)": gap},
                                             params=params), model=model)
    svg = dk.charts.to_svg(chart)
    assert float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', svg)[1]) <= 720
    assert chart.to_dict()["width"] >= 300 and "Gaming adjustment time (0.1–3 year)" in svg
