"""DPM chart and loop diagram: drawn from the declarations, three views, safe SVG, legible layout."""

import re

import pytest
from defusedxml import ElementTree

import dpmkit as dk

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def demo():
    return dk.models.load("demo")


def texts(svg):
    root = ElementTree.fromstring(svg)
    return [" ".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


def overlap(a, b):
    return not (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"] or
                a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"])


def test_structure_follows_roles_and_equations(demo):
    s = dk.dpm.structure(demo)
    assert s["columns"] == {
        "strategic_resource": ["waiting_list", "staff", "morale"],
        "performance_driver": ["capacity", "workload"],
        "end_result": ["served", "waiting_time"],
    }
    assert s["levers"] == ["staff_target"]
    links = set(s["links"])
    # direct equation links, left to right
    assert ("staff", "capacity", "drives") in links and ("capacity", "served", "drives") in links
    # an end result that drains a resource closes the DPM loop
    assert ("served", "waiting_list", "feedback") in links
    # through variables that are not drawn: workload -> morale_change (no role) -> morale
    assert ("workload", "morale", "feedback") in links
    # staff_target -> recruitment (no role) -> staff
    assert ("staff_target", "staff", "lever") in links
    assert all(a != b for a, b, _ in links)
    assert not any(b == "staff_target" for _, b, _ in links)


def test_hidden_chains_are_followed_but_stop_at_drawn_variables():
    m = dk.Model("chain", [
        dk.Stock("staff", 10, units="FTE", role="strategic_resource"),
        dk.Aux("hidden", "staff * 2", units="FTE"),
        dk.Aux("ratio", "hidden / 10", units="FTE", role="performance_driver"),
        dk.Aux("result", "ratio * 3", units="FTE", role="end_result"),
    ])
    links = dk.dpm.structure(m)["links"]
    assert links == [("staff", "ratio", "drives"), ("ratio", "result", "drives")]
    d = dk.dpm.chart(m)
    assert "hidden" not in [n["name"] for n in d.nodes]


def test_roles_can_be_overridden_and_a_model_without_roles_is_explained():
    m = dk.Model("bare", [dk.Stock("s", 1, units="people"),
                          dk.Flow("out", "s / tau", out_of="s", units="people/year"),
                          dk.Param("tau", 2, units="year")])
    with pytest.raises(dk.ModelError, match="declares no DPM roles"):
        dk.dpm.chart(m)
    d = dk.dpm.chart(m, roles={"s": "strategic_resource", "out": "end_result"})
    assert [e["kind"] for e in d.edges] == ["drives", "feedback"]
    with pytest.raises(dk.ModelError, match="roles names 'sx'"):
        dk.dpm.structure(m, roles={"sx": "end_result"})
    with pytest.raises(dk.ModelError, match="role 'boss'"):
        dk.dpm.structure(m, roles={"s": "boss"})


@pytest.mark.parametrize("view", dk.dpm.VIEWS)
def test_every_view_is_valid_svg_with_every_label(demo, view):
    d = dk.dpm.chart(demo, view)
    root = ElementTree.fromstring(d.svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}desc").text == d.description
    words = " ".join(texts(d.svg))
    for name in ("waiting_list", "staff", "morale", "capacity", "workload", "served", "waiting_time",
                 "staff_target"):
        for part in demo[name].label.split():
            assert part in words
    for heading in ("Strategic resources", "Performance drivers", "End results", "Policy levers"):
        assert heading in words
    assert dk.dpm.VIEW_NOTES[view] in d.description
    # the layout is the same in every view: switching views keeps boxes in place
    assert [(n["name"], n["x"], n["y"]) for n in d.nodes] == \
           [(n["name"], n["x"], n["y"]) for n in dk.dpm.chart(demo, "instrumental").nodes]


def test_views_emphasise_what_they_are_about(demo):
    objective = {n["name"]: n["emphasis"] for n in dk.dpm.chart(demo, "objective").nodes}
    assert objective["served"] == 1.0 and objective["waiting_list"] == 1.0
    assert objective["capacity"] < 1.0 and objective["staff_target"] < 1.0
    owners = {"Council": ["staff_target"], "Team leader": ["capacity", "workload"]}
    d = dk.dpm.chart(demo, "subjective", owners=owners)
    subjective = {n["name"]: (n["emphasis"], n["owner"]) for n in d.nodes}
    assert subjective["staff_target"] == (1.0, "Council")
    assert subjective["workload"] == (1.0, "Team leader")
    assert subjective["served"][0] < 1.0
    words = texts(d.svg)
    assert "● Council" in words and "● Team leader" in words
    assert "Team leader is responsible for: Service capacity, Workload." in d.description
    # owners can be given either way round
    same = dk.dpm.chart(demo, "subjective", owners={"staff_target": "Council", "capacity": "Team leader",
                                                   "workload": "Team leader"})
    assert same.svg == d.svg
    bare = dk.dpm.chart(demo, "subjective")
    assert "No responsibilities were given" in bare.description


def test_bad_views_and_owners(demo):
    with pytest.raises(dk.ModelError, match="view must be one of objective, instrumental, subjective"):
        dk.dpm.chart(demo, "strategic")
    with pytest.raises(dk.ModelError, match="owners names 'staf_target'.*did you mean 'staff_target'"):
        dk.dpm.chart(demo, "subjective", owners={"Council": ["staf_target"]})
    with pytest.raises(dk.ModelError, match="expected a dpmkit Model"):
        dk.dpm.chart("demo")


@pytest.mark.parametrize("name", ["demo", "surrey", "three_objectives"])
def test_layout_boxes_do_not_overlap_and_read_left_to_right(name):
    m = dk.models.load(name)
    d = dk.dpm.chart(m)
    boxes = d.nodes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not overlap(a, b), (a["name"], b["name"])
    root = ElementTree.fromstring(d.svg)
    width, height = float(root.get("width")), float(root.get("height"))
    for b in boxes:
        assert 0 <= b["x"] and b["x"] + b["w"] <= width and 0 <= b["y"] and b["y"] + b["h"] <= height
    x = {role: min(b["x"] for b in boxes if b["role"] == role) for role in
         ("strategic_resource", "performance_driver", "end_result") if any(b["role"] == role for b in boxes)}
    assert sorted(x, key=x.get) == [r for r in ("strategic_resource", "performance_driver", "end_result") if r in x]
    sizes = [float(s) for s in re.findall(r'font-size="([0-9.]+)"', d.svg)]
    assert min(sizes) >= 14
    # every path the chart draws starts and stays inside the canvas
    for p in root.iter(f"{SVG}path"):
        nums = [float(v) for v in re.findall(r"-?\d+\.?\d*", p.get("d"))]
        if p.get("marker-end"):
            assert min(nums) >= 0, p.get("d")
    assert d.svg == dk.dpm.chart(m).svg  # deterministic


def test_labels_are_escaped_not_executed():
    m = dk.Model("x", [
        dk.Stock("s", 1, units="people", role="strategic_resource", label='A & B <script>alert("x")</script>'),
        dk.Flow("f", "s / tau", out_of="s", units="people/year", role="end_result", label="Out ]]> <b>"),
        dk.Param("tau", 2, units="year"),
    ])
    d = dk.dpm.chart(m)
    root = ElementTree.fromstring(d.svg)  # parses: nothing broke out of its element
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    assert any("<script>" in t for t in texts(d.svg))
    d = dk.dpm.loop_diagram(m, minor=True)
    ElementTree.fromstring(d.svg)


def test_loop_diagram_draws_the_loops_dk_loops_finds(demo):
    found = dk.loops(demo)
    d = dk.dpm.loop_diagram(demo, found)
    major = [lp for lp in found if len(lp.members) > 2]
    assert [lp["id"] for lp in d.loops] == [lp.id for lp in major]
    for drawn, lp in zip(d.loops, major):
        assert drawn["polarity"] == lp.polarity and drawn["members"] == lp.members
    signs = {(a, b): s for lp in major for a, b, s in lp.links}
    drawn_signs = {(e["source"], e["target"]): e["sign"] for e in d.edges if e["sign"]}
    assert drawn_signs == signs
    words = texts(d.svg)
    for lp in major:
        assert lp.id in words
    assert "minor stock-and-flow loops" in d.description
    assert "R1 (reinforcing): Caseworkers → Workload → Morale change → Staff morale → Leavers → Caseworkers." \
        in d.description
    for i, a in enumerate(d.nodes):
        for b in d.nodes[i + 1:]:
            assert not overlap(a, b), (a["name"], b["name"])


def test_loop_diagram_choices(demo):
    with_minor = dk.dpm.loop_diagram(demo, minor=True, max_loops=20)
    assert {lp["id"] for lp in with_minor.loops} == {lp.id for lp in dk.loops(demo)}
    one = dk.dpm.loop_diagram(demo, which=["B1"])
    assert [lp["id"] for lp in one.loops] == ["B1"]
    assert {n["name"] for n in one.nodes} == {"waiting_list", "served"}
    with pytest.raises(dk.ModelError, match="no loop 'R9'"):
        dk.dpm.loop_diagram(demo, which=["R9"])
    with pytest.raises(dk.ModelError, match="max_loops"):
        dk.dpm.loop_diagram(demo, max_loops=0)
    none = dk.dpm.loop_diagram(dk.Model("flat", [dk.Stock("s", 1, units="people"),
                                                 dk.Flow("f", "2", into="s", units="people/year")]))
    assert none.loops == [] and "No feedback loops" in none.description


def test_save_svg_and_png(tmp_path, demo):
    d = dk.dpm.chart(demo)
    assert d.save(tmp_path / "dpm.svg").read_text().startswith("<svg")
    assert d.save(tmp_path / "dpm.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(dk.ModelError, match=r"\.svg or \.png"):
        d.save(tmp_path / "dpm.pdf")
    assert d._repr_svg_() == d.svg
