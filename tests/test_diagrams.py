"""Focus mode: DPM charts of the large models that stay legible (issue 14, item 4).

Boxes and crossings are counted here from the drawn geometry (the boxes' rectangles and
the polylines of the arrows' paths), with a segment-intersection test written out in
this file, not taken from the chart's own bookkeeping.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest

import dpmkit as dk
from dpmkit.errors import ModelError

SVG = "{http://www.w3.org/2000/svg}"


def _orient(a, b, c):
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _segments_cross(p, q, r, s):
    d1, d2, d3, d4 = _orient(r, s, p), _orient(r, s, q), _orient(p, q, r), _orient(p, q, s)
    return d1 * d2 < 0 and d3 * d4 < 0


def count_crossings(edges):
    """Pairs of arrows without a shared end whose polylines properly intersect."""
    count = 0
    for a, b in itertools.combinations(edges, 2):
        if {a["source"], a["target"]} & {b["source"], b["target"]}:
            continue
        pa, pb = a["points"], b["points"]
        if any(_segments_cross(pa[i], pa[i + 1], pb[j], pb[j + 1])
               for i in range(len(pa) - 1) for j in range(len(pb) - 1)):
            count += 1
    return count


def drawn_boxes(diagram):
    """Rectangles of the boxes in the SVG itself: the rect of each titled group, lever badges excepted."""
    root = ET.fromstring(diagram.svg)
    boxes = []
    for g in root.iter(f"{SVG}g"):
        rect = g.find(f"{SVG}rect")
        if g.find(f"{SVG}title") is not None and rect is not None:
            boxes.append(tuple(float(rect.get(k)) for k in ("x", "y", "width", "height")))
    return boxes


def test_the_crossing_counter_counts_real_crossings():
    x = [{"source": "a", "target": "b", "points": [(0, 0), (10, 10)]},
         {"source": "c", "target": "d", "points": [(0, 10), (10, 0)]},
         {"source": "e", "target": "f", "points": [(20, 0), (20, 10)]},
         {"source": "a", "target": "g", "points": [(0, 0), (6, 0), (6, 10)]}]  # shares an end with the first
    assert count_crossings(x) == 2  # a-b x c-d, and c-d x a-g (at x = 6, y = 4)
    d = dk.dpm.Diagram("<svg/>", "", [], x)
    assert dk.dpm.crossings(d) == count_crossings(x)


@pytest.fixture(scope="module", params=["surrey", "targets_vs_learning"])
def big(request):
    return dk.models.load(request.param)


def test_full_charts_are_the_unreadable_ones_the_issue_describes(big):
    d = dk.dpm.chart(big)
    assert len(drawn_boxes(d)) > 20
    assert count_crossings(d.edges) > 100


def _focuses(model):
    s = dk.dpm.structure(model)
    return [n for c in s["columns"].values() for n in c] + [
        n for n in s["levers"] if any(a == n for a, _, k in s["links"] if k == "lever")]


def test_focus_on_any_variable_draws_at_most_12_boxes_without_crossings(big):
    full = count_crossings(dk.dpm.chart(big).edges)
    for name in _focuses(big):
        d = dk.dpm.chart(big, focus=name)
        boxes = drawn_boxes(d)
        assert len(boxes) == len(d.nodes) <= 12, name
        assert name in {n["name"] for n in d.nodes} or any(name in n.get("members", ()) for n in d.nodes)
        assert count_crossings(d.edges) == 0, name
        # Every arrow starts or ends next to the focus: its ends are the focus or its neighbours.
        near = set(dk.dpm.focus_set(big, name))
        assert all(e["source"] in near and e["target"] in near for e in d.edges)
    assert full > 0


def test_two_steps_out_stays_within_12_boxes_and_cuts_crossings_fivefold(big):
    full = dk.dpm.chart(big)
    full_crossings = count_crossings(full.edges)
    for name in _focuses(big):
        d = dk.dpm.chart(big, focus=name, steps=2)
        assert len(drawn_boxes(d)) <= 12
        # Distances from the focus over the full chart's links, found here: every arrow runs one step outwards.
        dist, frontier = {name: 0}, [name]
        links = dk.dpm.structure(big)["links"]
        while frontier:
            nxt = []
            for a, b, _ in links:
                for x, y in ((a, b), (b, a)):
                    if x in frontier and y not in dist:
                        dist[y] = dist[x] + 1
                        nxt.append(y)
            frontier = nxt
        for e in d.edges:
            assert abs(dist[e["source"]] - dist[e["target"]]) == 1, (name, e["source"], e["target"])
            assert max(dist[e["source"]], dist[e["target"]]) <= 2
        c = count_crossings(d.edges)
        # Two steps out of a dense model is not crossing-free (targets_vs_learning: up to about 30),
        # but it is a small share of the full chart's.
        assert c <= full_crossings / 5, (name, c, full_crossings)


def test_focus_on_a_loop_draws_the_loop_in_order(big):
    full_crossings = count_crossings(dk.dpm.chart(big).edges)
    drawn = 0
    for lp in dk.loops(big):
        if len(lp.members) <= 2:
            continue
        try:
            d = dk.dpm.chart(big, focus=lp.id)
        except ModelError as err:
            assert "max_boxes" in str(err) or "no variable with a DPM role" in str(err)
            continue
        drawn += 1
        boxes = drawn_boxes(d)
        assert len(boxes) <= 12
        names = [n["name"] for n in d.nodes]
        assert set(names) <= set(lp.members)
        # Arrows join consecutive members (in the loop's order, skipping those without a role).
        order = [m for m in lp.members if m in names]
        pairs = set(zip(order, order[1:] + order[:1]))
        assert {(e["source"], e["target"]) for e in d.edges} <= pairs
        assert count_crossings(d.edges) <= full_crossings / 5
    assert drawn >= 5


def test_lever_bar_is_one_box_and_numbers_the_boxes_levers_act_on():
    m = dk.models.load("surrey")
    d = dk.dpm.chart(m, levers="bar")
    s = dk.dpm.structure(m)
    bars = [n for n in d.nodes if n["name"] == "policy_levers"]
    assert len(bars) == 1 and sorted(bars[0]["members"]) == sorted(s["levers"])
    assert not [e for e in d.edges if e["kind"] == "lever"]
    tag = {lever: f"L{i + 1}" for i, lever in enumerate(bars[0]["members"])}
    for n in d.nodes:
        if n["name"] == "policy_levers":
            continue
        expected = sorted(tag[a] for a, b, k in s["links"] if k == "lever" and b == n["name"])
        assert sorted(n["levers"]) == expected
        if n["levers"]:
            assert f'>{" ".join(n["levers"])}</tspan>' in d.svg
    assert count_crossings(d.edges) < count_crossings(dk.dpm.chart(m).edges)
    assert len(d.nodes) == len(dk.dpm.chart(m).nodes) - len(s["levers"]) + 1


def test_focus_says_what_it_leaves_out():
    m = dk.models.load("surrey")
    d = dk.dpm.chart(m, focus="becoming_neet", steps=2)
    assert "Focus on 'Becoming NEET'" in d.description
    assert "left out" in d.description
    assert "focus on Becoming NEET" in d.svg


@pytest.mark.parametrize("kwargs, words", [
    ({"focus": "nope"}, "neither a variable"),
    ({"focus": "evaluation_after"}, "acts on nothing drawn"),
    ({"focus": "becoming_neet", "steps": -1}, "steps"),
    ({"focus": "becoming_neet", "max_boxes": 0}, "max_boxes"),
    ({"levers": "pile"}, "levers must be"),
    ({"stages": ["resources"]}, "stages must be among"),
])
def test_bad_focus_arguments_are_explained(kwargs, words):
    with pytest.raises(ModelError, match=words):
        dk.dpm.chart(dk.models.load("surrey"), **kwargs)


def test_a_variable_without_a_role_cannot_be_focused():
    m = dk.models.load("surrey")
    no_role = next(v.name for v in m.variables if not v.role)
    with pytest.raises(ModelError, match="no DPM role") as err:
        dk.dpm.chart(m, focus=no_role)
    assert err.value.variable == no_role


def test_loop_diagram_focus_draws_only_loops_through_the_variable_shortest_first():
    m = dk.models.load("targets_vs_learning")
    found = [lp for lp in dk.loops(m) if "capability" in lp.members and len(lp.members) > 2]
    d = dk.dpm.loop_diagram(m, focus="capability", max_loops=3)
    assert len(d.loops) == 3
    assert all("capability" in lp["members"] for lp in d.loops)
    lengths = sorted(len(lp.members) for lp in found)[:3]
    assert [len(lp["members"]) for lp in d.loops] == lengths
    assert {n["name"] for n in d.nodes} == {v for lp in d.loops for v in lp["members"]}
    assert len(d.nodes) < len(dk.dpm.loop_diagram(m).nodes)
    through = [lp for lp in dk.loops(m) if "capability" in lp.members]  # minor loops too
    assert f"{len(through) - 3} more loops not drawn" in d.description
    with pytest.raises(ModelError, match="did you mean 'capability'"):
        dk.dpm.loop_diagram(m, focus="capabilty")


def test_story_mode_is_used_in_notebooks_03_04_07():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"
    for name in ("03_dynamic_performance_management", "04_surrey_case", "07_targets_gaming_learning"):
        nb = json.loads((root / f"{name}.ipynb").read_text(encoding="utf-8"))
        code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        assert any("dk.widgets.story(" in c for c in code), name


def passes_behind(diagram):
    """(arrow, box) pairs where a drawn arrow runs through a box that is neither of its ends."""
    hits = []
    for e in diagram.edges:
        for n in diagram.nodes:
            if n["name"] in (e["source"], e["target"]) or n["name"] == "policy_levers":
                continue
            x0, y0, x1, y1 = n["x"] + 3, n["y"] + 3, n["x"] + n["w"] - 3, n["y"] + n["h"] - 3
            pts = e["points"]
            for (ax, ay), (bx, by) in itertools.pairwise(pts):
                if any(x0 < ax + (bx - ax) * k / 10 < x1 and y0 < ay + (by - ay) * k / 10 < y1 for k in range(11)):
                    hits.append((e["source"], e["target"], n["name"]))
                    break
    return hits


def test_no_arrow_runs_behind_a_box(big):
    assert passes_behind(dk.dpm.chart(big)) == []
    for name in _focuses(big):
        for steps in (1, 2):
            assert passes_behind(dk.dpm.chart(big, focus=name, steps=steps)) == [], (name, steps)


def test_the_behind_check_sees_an_arrow_through_a_box():
    d = dk.dpm.Diagram("<svg/>", "", [{"name": "m", "x": 40, "y": 0, "w": 20, "h": 20}],
                       [{"source": "a", "target": "b", "points": [(0, 10), (100, 10)]}])
    assert passes_behind(d) == [("a", "b", "m")]


LEGEND_KEYS = {"influences": "#444", "end result fills or drains a resource": "#D55E00",
               "other feedback": "#0072B2", "lever acts on": "#009E73"}


def legend_and_drawn(diagram):
    """The legend's keys (texts of the SVG) and the arrow colours its paths draw."""
    root = ET.fromstring(diagram.svg)
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    keys = {k for k in [*LEGEND_KEYS, "lever L1 of the bar acts on this box"] if k in texts}
    drawn = {p.get("stroke") for p in root.iter(f"{SVG}path") if p.get("marker-end")}
    return keys, drawn


@pytest.mark.parametrize("kwargs", [
    {}, {"levers": "bar"}, {"focus": "end_result"}, {"focus": "end_result", "steps": 2}, {"focus": "B1"},
    {"stages": ("strategic_resource", "end_result")}, {"stages": ("strategic_resource", "end_result", "policy_lever")},
    {"stages": ("strategic_resource", "end_result", "performance_driver", "policy_lever")}, {"view": "subjective"},
])
@pytest.mark.parametrize("name", ["surrey", "targets_vs_learning", "demo"])
def test_the_legend_lists_only_what_the_chart_draws(name, kwargs):
    m = dk.models.load(name)
    if kwargs.get("focus") == "end_result":  # the model's first end result
        kwargs = {**kwargs, "focus": dk.dpm.structure(m)["columns"]["end_result"][0]}
    d = dk.dpm.chart(m, **kwargs)
    keys, drawn = legend_and_drawn(d)
    assert {k for k in keys if k in LEGEND_KEYS} == {k for k, colour in LEGEND_KEYS.items() if colour in drawn}
    # the lever bar replaces the lever arrows: its key is the number on a box, shown when a box carries one
    assert ("lever L1 of the bar acts on this box" in keys) == any(n["levers"] for n in d.nodes)
    assert not ("lever acts on" in keys and "lever L1 of the bar acts on this box" in keys)


def test_the_lever_bar_chart_has_no_lever_arrow_key_and_the_full_chart_has_one():
    m = dk.models.load("surrey")
    bar_keys, bar_drawn = legend_and_drawn(dk.dpm.chart(m, levers="bar"))
    assert "lever acts on" not in bar_keys and "#009E73" not in bar_drawn
    assert "lever L1 of the bar acts on this box" in bar_keys
    box_keys, box_drawn = legend_and_drawn(dk.dpm.chart(m, levers="boxes"))
    assert "lever acts on" in box_keys and "#009E73" in box_drawn
    # a story's first step (resources and end results) has only the feedback that fills or drains
    first_keys, _ = legend_and_drawn(dk.dpm.chart(m, stages=("strategic_resource", "end_result")))
    assert first_keys == {"end result fills or drains a resource"}
