"""Feedback loops: detection, polarity, names, knock-out and loop dominance."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk
from dpmkit.analysis import elementary_cycles


def growth_model():
    return dk.Model("growth", [
        dk.Stock("population", 10, units="people"),
        dk.Flow("births", "birth_rate * population", into="population", units="people/year"),
        dk.Param("birth_rate", 0.1, bounds=(0, 1), units="1/year"),
    ], stop=10, dt=0.25)


def goal_model():
    return dk.Model("goal", [
        dk.Stock("staff", 5, units="FTE"),
        dk.Flow("hiring", "(target - staff) / hiring_time", into="staff", units="FTE/year"),
        dk.Param("target", 20, bounds=(0, 50), units="FTE"),
        dk.Param("hiring_time", 2, bounds=(0.5, 5), units="year"),
    ], stop=10, dt=0.25)


def logistic_model():
    return dk.Model("logistic", [
        dk.Stock("population", 10, units="people"),
        dk.Flow("births", "growth_rate * population", into="population", units="people/year"),
        dk.Flow("deaths", "growth_rate * population * population / capacity", out_of="population",
                units="people/year"),
        dk.Param("growth_rate", 0.5, bounds=(0.1, 1), units="1/year"),
        dk.Param("capacity", 1000, bounds=(100, 5000), units="people"),
    ], stop=30, dt=0.125)


def brute_force_cycles(nodes, succ):
    """Every elementary cycle by trying every ordered subset (small graphs only)."""
    found = set()
    for k in range(1, len(nodes) + 1):
        for combo in itertools.permutations(nodes, k):
            if combo[0] != min(combo, key=nodes.index):
                continue
            if all(b in succ[a] for a, b in zip(combo, combo[1:] + combo[:1])):
                found.add(combo)
    return found


@settings(max_examples=150)
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(
    st.just(n), st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n * n))))
def test_johnson_finds_exactly_the_elementary_cycles_of_any_small_graph(graph):
    n, edges = graph
    nodes = [f"v{i}" for i in range(n)]
    succ = {v: set() for v in nodes}
    for a, b in edges:
        succ[nodes[a]].add(nodes[b])
    cycles, capped = elementary_cycles(nodes, succ)
    assert not capped
    as_tuples = [tuple(c) for c in cycles]
    assert len(as_tuples) == len(set(as_tuples)), "a cycle was reported twice"
    assert set(as_tuples) == brute_force_cycles(nodes, succ)


def test_complete_graph_has_the_known_number_of_cycles_and_the_cap_is_reported():
    nodes = list("abcde")
    succ = {a: {b for b in nodes if b != a} for a in nodes}
    # elementary cycles of the complete digraph K5: sum over k>=2 of C(5,k)(k-1)! = 84
    cycles, capped = elementary_cycles(nodes, succ)
    assert len(cycles) == 84 and not capped
    cycles, capped = elementary_cycles(nodes, succ, limit=10)
    assert len(cycles) == 10 and capped


def test_reinforcing_growth_loop():
    found = dk.loops(growth_model())
    assert len(found) == 1
    loop = found[0]
    assert loop.id == "R1" and loop.polarity == "reinforcing"
    assert loop.members == ("population", "births")
    assert loop.links == (("population", "births", "+"), ("births", "population", "+"))


def test_balancing_goal_seeking_loop():
    (loop,) = dk.loops(goal_model())
    assert loop.id == "B1" and loop.polarity == "balancing"
    assert {(a, b): s for a, b, s in loop.links} == {("staff", "hiring"): "-", ("hiring", "staff"): "+"}


def test_two_loops_sharing_a_stock_and_an_outflow_is_a_negative_link():
    found = dk.loops(logistic_model())
    assert [lp.id for lp in found] == ["R1", "B1"]
    r, b = found
    assert r.members == ("population", "births") and r.stocks == ("population",)
    assert b.members == ("population", "deaths") and b.stocks == ("population",)
    assert ("deaths", "population", "-") in b.links
    assert ("population", "deaths", "+") in b.links


def test_polarity_through_a_decreasing_lookup_and_a_min_that_binds_only_sometimes():
    model = dk.Model("burnout", [
        dk.Stock("backlog", 50, units="cases"),
        dk.Stock("morale", 0.8, units="dimensionless"),
        dk.Flow("arrivals", "demand", into="backlog", units="cases/week"),
        dk.Flow("completions", "MIN(backlog / min_time, capacity * effect(morale))", out_of="backlog",
                units="cases/week"),
        dk.Flow("morale_change", "(morale_goal(backlog) - morale) / adjust_time", into="morale",
                units="1/week"),
        dk.Param("demand", 40, bounds=(0, 100), uncertainty=(30, 60), units="cases/week"),
        dk.Param("capacity", 45, bounds=(0, 100), units="cases/week"),
        dk.Param("min_time", 1, bounds=(0.5, 4), units="week"),
        dk.Param("adjust_time", 4, bounds=(1, 10), units="week"),
        dk.Lookup("effect", [0, 1], [0.5, 1.1], units="dimensionless", x_units="dimensionless"),
        dk.Lookup("morale_goal", [0, 50, 200], [0.9, 0.8, 0.2], units="dimensionless", x_units="cases"),
    ], stop=52, dt=0.25, time_units="week")
    found = dk.loops(model)
    by_members = {frozenset(lp.members): lp for lp in found}
    burnout = by_members[frozenset({"backlog", "morale_change", "morale", "completions"})]
    # backlog up -> morale down -> completions down -> backlog up: reinforcing
    signs = {(a, b): s for a, b, s in burnout.links}
    assert signs[("backlog", "morale_change")] == "-"
    assert signs[("morale", "completions")] == "+"
    assert burnout.polarity == "reinforcing"
    drain = by_members[frozenset({"backlog", "completions"})]
    assert drain.polarity == "balancing"


def test_state_dependent_link_is_undetermined():
    model = dk.Model("hump", [
        dk.Stock("s", 2, units="people"),
        dk.Flow("inflow", "s * (ceiling - s) / ceiling / tau", into="s", units="people/year"),
        dk.Param("ceiling", 10, units="people"),
        dk.Param("tau", 1, bounds=(0.5, 2), units="year"),
    ], stop=10, dt=0.25)
    (loop,) = dk.loops(model)
    assert loop.polarity == "undetermined" and loop.id == "U1"


def test_loop_through_a_smooth_in_an_auxiliary():
    model = dk.Model("perceived", [
        dk.Stock("stock", 10, units="units"),
        dk.Aux("perceived", "SMTH1(stock, 3)", units="units"),
        dk.Flow("correction", "(goal - perceived) / 2", into="stock", units="units/year"),
        dk.Param("goal", 20, units="units"),
    ], stop=10, dt=0.25, check_units="off")
    (loop,) = dk.loops(model)
    assert loop.members == ("stock", "perceived", "correction") and loop.polarity == "balancing"


def test_names_label_loops_and_a_wrong_key_is_a_clear_error():
    names = {frozenset({"population", "births"}): "growth", frozenset({"population", "deaths"}): "crowding"}
    found = dk.loops(logistic_model(), names=names)
    assert [lp.name for lp in found] == ["growth", "crowding"]
    assert found["crowding"].id == "B1" and found["R1"].name == "growth"
    assert "growth" in str(found[0]) and "crowding" in found.to_frame()["name"].tolist()
    with pytest.raises(dk.ModelError, match="no loop has exactly the members"):
        dk.loops(logistic_model(), names={frozenset({"population"}): "lonely"})
    with pytest.raises(dk.ModelError, match="not a variable"):
        dk.loops(logistic_model(), names={frozenset({"populaton", "births"}): "typo"})
    with pytest.raises(dk.ModelError, match="set of the loop's variables"):
        dk.loops(logistic_model(), names={"population": "x"})
    with pytest.raises(dk.ModelError, match="no loop 'R9'"):
        found["R9"]


def test_cap_is_reported_in_plain_words():
    found = dk.loops(logistic_model(), max_loops=1)
    assert len(found) == 1 and found.capped
    assert "max_loops=1" in repr(found)
    with pytest.raises(dk.ModelError, match="max_loops"):
        dk.loops(logistic_model(), max_loops=0)


def test_a_model_without_feedback_has_no_loops():
    model = dk.Model("pipe", [
        dk.Stock("tank", 0, units="litre"),
        dk.Flow("fill", "rate", into="tank", units="litre/minute"),
        dk.Param("rate", 2, units="litre/minute"),
    ], stop=5, time_units="minute")
    assert list(dk.loops(model)) == []
    assert dk.loop_dominance(model).periods.empty


def test_knocking_out_the_growth_loop_turns_exponential_into_linear_growth():
    model = growth_model()
    ko = dk.loop_knockout(model, "R1")
    assert ko.link == ("population", "births") and ko.value == 10.0
    # births are held at their initial rate 0.1 * 10 = 1 person/year: P(t) = 10 + t
    np.testing.assert_allclose(ko.knocked_out["population"], 10 + ko.knocked_out.time, rtol=1e-12)
    np.testing.assert_allclose(ko.base["population"], dk.simulate(model)["population"])
    base, cut = ko.effect("population")
    assert base > cut == pytest.approx(20.0)
    assert set(ko.frame["scenario"]) == {"base", "knocked_out"}
    assert "held at its initial value 10" in ko.summary()
    # the original model is untouched
    assert model["births"].equation == "birth_rate * population"


def test_knocking_out_a_flow_to_stock_link_holds_the_flow_at_its_initial_rate():
    ko = dk.loop_knockout(goal_model(), "B1", link=("hiring", "staff"))
    # initial hiring = (20 - 5) / 2 = 7.5 FTE/year, forever: staff = 5 + 7.5 t
    np.testing.assert_allclose(ko.knocked_out["staff"], 5 + 7.5 * ko.knocked_out.time, rtol=1e-12)


def test_knockout_reports_other_loops_through_the_same_link():
    model = dk.Model("shared", [
        dk.Stock("s", 1, units="units"),
        dk.Aux("signal", "s * gain", units="units"),
        dk.Flow("up", "signal * 0.1", into="s", units="units/year"),
        dk.Flow("down", "signal * signal * 0.01", out_of="s", units="units/year"),
        dk.Param("gain", 1, units="dimensionless"),
    ], stop=10, check_units="off")
    found = dk.loops(model)
    assert len(found) == 2
    ko = dk.loop_knockout(model, found[0], link=("s", "signal"))
    assert [lp.members for lp in ko.also_cut] == [found[1].members]
    with pytest.raises(dk.ModelError, match="is not a link of loop"):
        dk.loop_knockout(model, found[0], link=("down", "s"))
    with pytest.raises(dk.ModelError, match="no loop"):
        dk.loop_knockout(model, "B7")


def test_loop_dominance_switches_at_half_capacity_in_logistic_growth():
    model = logistic_model()
    d = dk.loop_dominance(model)
    run = dk.simulate(model)
    P = run["population"]
    # Analytic link scores for this model: R share = 1 / (1 + (P_now + P_prev) / K)
    wide = d.scores.pivot(index="time", columns="loop", values="relative")
    expected = 1 / (1 + (P[1:] + P[:-1]) / 1000)
    np.testing.assert_allclose(wide["R1"].to_numpy(), expected, rtol=1e-9)
    np.testing.assert_allclose(wide["B1"].to_numpy(), expected - 1, rtol=1e-9)
    assert list(d.periods["loop"]) == ["R1", "B1"]
    switch = d.periods["start"].iloc[1]
    half = run.time[np.argmax(P >= 500)]
    assert abs(switch - half) <= 2 * model.dt
    assert "reinforcing loop R1" in d.story() and "balancing loop B1" in d.story()
    # times as a person says them (words.stretch): the run's ends by name, the switch as a rounded time
    from dpmkit.words import stretch

    said = stretch(switch, model.stop, model.time_units, model.start, model.stop)
    assert d.story().startswith("From the start to ") and f"{said[0].upper()}{said[1:]}, the balancing" in d.story()
    assert f"{switch:g}" not in d.story()  # the computed switch itself is never printed raw


def test_a_loop_table_reads_in_the_variables_labels():
    """Lesson 02's table of loops showed each path in variable names
    (``waiting → desired_capacity → capacity_change → capacity → seen → waiting``). The table a
    learner reads follows each loop by its variables' labels; a program keeps the names."""
    model = dk.models.load("demo")
    found = dk.loops(model)
    table = found.to_frame()
    r1 = table.set_index("id").loc["R1"]
    assert r1["path"] == "Caseworkers → workload → morale change → staff morale → leavers → caseworkers"
    assert r1["stocks"] == "Caseworkers, Staff morale"
    assert not table["path"].str.contains("_").any() and not table["stocks"].str.contains("_").any()
    assert found["R1"].members[0] == "staff" and "staff" in found["R1"].path  # the names stay for code
    assert found.in_words("R1") == r1["path"]
