"""Declarations: frozen, validated, with clear errors."""

import dataclasses

import pytest

import dpmkit as dk


def test_declarations_are_frozen():
    s = dk.Stock("staff", 10, units="FTE")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.initial = 5
    m = dk.models.load("demo")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.stop = 100


def test_label_defaults_from_name():
    assert dk.Aux("staff_morale", "1").label == "Staff morale"
    assert dk.Aux("staff_morale", "1", label="Morale").label == "Morale"


@pytest.mark.parametrize("name", ["1abc", "with space", "", "a-b", "_x", "a__b", "café", None, 3])
def test_invalid_names_are_refused(name):
    with pytest.raises(dk.ModelError):
        dk.Aux(name, "1")


@pytest.mark.parametrize("name", ["time", "TIME", "min", "If", "dt", "smth1", "pi"])
def test_reserved_words_are_refused_as_names(name):
    with pytest.raises(dk.ModelError, match="reserved word"):
        dk.Param(name, 1)


def test_param_validation():
    with pytest.raises(dk.ModelError, match="outside its bounds"):
        dk.Param("p", 5, bounds=(0, 1))
    with pytest.raises(dk.ModelError, match="low <= high"):
        dk.Param("p", 0.5, bounds=(1, 0))
    with pytest.raises(dk.ModelError, match="within bounds"):
        dk.Param("p", 0.5, bounds=(0, 1), uncertainty=(0.2, 2))
    with pytest.raises(dk.ModelError, match="finite"):
        dk.Param("p", float("nan"))
    with pytest.raises(dk.ModelError, match="pair"):
        dk.Param("p", 1, bounds=5)
    p = dk.Param("p", 1, bounds=[0, 2], uncertainty=[0.5, 1.5])
    assert p.bounds == (0.0, 2.0) and p.is_uncertain


def test_roles_are_checked():
    assert dk.Stock("staff", 1, role="strategic_resource").role == "strategic_resource"
    with pytest.raises(dk.ModelError, match="strategic_resource"):
        dk.Stock("staff", 1, role="resource")


def test_lookup_validation():
    with pytest.raises(dk.ModelError, match="x has 3 points but y has 2"):
        dk.Lookup("l", [0, 1, 2], [0, 1])
    with pytest.raises(dk.ModelError, match="increase strictly"):
        dk.Lookup("l", [0, 2, 1], [0, 1, 2])
    with pytest.raises(dk.ModelError, match="increase strictly"):
        dk.Lookup("l", [0, 1, 1], [0, 1, 2])
    with pytest.raises(dk.ModelError, match="at least 2"):
        dk.Lookup("l", [0], [0])
    with pytest.raises(dk.ModelError, match="not finite"):
        dk.Lookup("l", [0, float("inf")], [0, 1])


def test_model_validation():
    with pytest.raises(dk.ModelError, match="declared twice"):
        dk.Model("m", [dk.Aux("a", "1"), dk.Param("a", 1)])
    with pytest.raises(dk.ModelError, match="did you mean 'stock'"):
        dk.Model("m", [dk.Stock("stock", 1), dk.Flow("f", "1", into="stok")])
    with pytest.raises(dk.ModelError, match="not a stock"):
        dk.Model("m", [dk.Aux("a", "1"), dk.Flow("f", "1", out_of="a")])
    with pytest.raises(dk.ModelError, match="same stock"):
        dk.Model("m", [dk.Stock("s", 1), dk.Flow("f", "1", into="s", out_of="s")])
    with pytest.raises(dk.ModelError, match="whole number of steps"):
        dk.Model("m", [], start=0, stop=1, dt=0.3)
    with pytest.raises(dk.ModelError, match="dt must be positive"):
        dk.Model("m", [], dt=0)
    with pytest.raises(dk.ModelError, match="must be after start"):
        dk.Model("m", [], start=5, stop=1)
    with pytest.raises(dk.ModelError, match="item 0"):
        dk.Model("m", ["not a variable"])
    with pytest.raises(dk.ModelError, match="method"):
        dk.Model("m", [], method="rk45")


def test_model_variants_leave_the_original_alone():
    m = dk.models.load("demo")
    m2 = m.with_params(staff_target=30)
    assert m["staff_target"].default == 20 and m2["staff_target"].default == 30
    m3 = m.replace(stop=120)
    assert m.stop == 60 and m3.stop == 120
    m4 = m.with_variables(dk.Aux("extra", "staff * 2", units="FTE"))
    assert "extra" in m4 and "extra" not in m
    assert "waiting_time" not in m.without("waiting_time")
    with pytest.raises(dk.ModelError, match="no parameter 'staf_target'"):
        m.with_params(staf_target=3)
    with pytest.raises(dk.ModelError, match="outside its bounds"):
        m.with_params(staff_target=400)
    wide = m.with_params(staff_target=400, allow_out_of_bounds=True)
    assert wide["staff_target"].bounds[1] == 400


def test_model_views():
    m = dk.models.load("demo")
    assert {s.name for s in m.stocks} == {"waiting_list", "staff", "morale"}
    assert {f.name for f in m.inflows("staff")} == {"recruitment"}
    assert [p.name for p in m.policy_levers] == ["staff_target"]
    assert {p.name for p in m.uncertainties} == {"referral_rate", "base_quit_rate"}
    assert m.scenario("cut_posts") == {"staff_target": 14}
    with pytest.raises(dk.ModelError, match="no scenario"):
        m.scenario("nope")
    assert len(m.time) == 241 and m.time[-1] == 60
    table = m.parameter_table()
    assert table.loc["staff_target", "role"] == "policy lever"
    assert set(table.index) == {p.name for p in m.params}
    assert m.describe().loc["served", "kind"] == "flow"
    assert m == dk.models.load("demo")


def test_model_lookups_everyone_needs_are_built_once():
    import dpmkit as dk

    model = dk.models.load("demo")
    assert model.recorded == tuple(v.name for v in model.variables
                                   if isinstance(v, (dk.Stock, dk.Flow, dk.Aux)))
    assert model.recorded is model.recorded  # cached on the frozen model
    assert list(model.params_by_name) == [p.name for p in model.params]
    assert model.param("staff_target") is model.params_by_name["staff_target"]
    with pytest.raises(TypeError):
        model.params_by_name["x"] = 1  # read-only
    with pytest.raises(dk.ModelError, match="has no parameter 'staff_targt'; did you mean 'staff_target'") as err:
        model.param("staff_targt")
    assert err.value.variable == "staff_targt"
    with pytest.raises(dk.ModelError, match="'waiting_list' is a stock of model 'demo', not a parameter"):
        model.param("waiting_list")
    changed = model.with_params(staff_target=30)
    assert changed.param("staff_target").default == 30 and model.param("staff_target").default == 20


def test_the_ready_made_models_share_one_param_helper():
    import importlib
    import inspect

    import dpmkit.models as models
    from dpmkit.models import _common

    for name in models.available():
        source = inspect.getsource(importlib.import_module(f"dpmkit.models.{name}"))
        assert "Param(" not in source.replace("_param(", ""), name  # every Param through _common.param
    assert _common.param("x", 1, (0, 2), "", "X", "An x.", role="end_result").role == "end_result"


def test_a_models_description_shows_left_aligned_in_a_notebook():
    """Lesson 09's exercise 1 shows ``surrey.describe().query(...)[["kind", "label"]]`` for the
    no-code track to read the variables' labels: as a pandas table every label was right-aligned.
    What a notebook displays (IPython's own formatter): every cell left-aligned, labels in full."""
    import re

    from IPython.core.formatters import DisplayFormatter

    surrey = dk.models.load("surrey")
    shown, _ = DisplayFormatter().format(surrey.describe().query("kind != 'parameter'")[["kind", "label"]])
    page = shown["text/html"]
    tags = re.findall(r"<t[dh]\b[^>]*>", page)
    assert len(tags) > 100 and all("text-align:left" in tag for tag in tags)
    assert ">Young people offending for the first time</td>" in page
    assert shown["text/plain"].split("\n")[:3] == ["name legacy_services", "  kind: stock",
                                                   "  label: Legacy in-house services"]


def test_a_parameter_table_reads_as_a_reader_cites_and_measures():
    """Lessons 00, 04, 06 and 08 showed parameter tables with "dimensionless" as units, registry
    keys (``surrey_budget_cut``) as sources and roles as code (``policy_lever``). The table shows
    no units for a pure number, each source as a reader would cite it (as the evidence tables head
    their rows), and roles in words; the index keeps the names a program types, and each
    declaration keeps its registry key."""
    model = dk.models.load("surrey")
    table = model.parameter_table()
    cut = table.loc["cut_fraction"]
    assert cut["units"] == "" and table.loc["post2015_cut", "units"] == "£m/year"
    assert cut["source"] == dk.evidence.get("surrey_budget_cut").citation and cut["status"] == "published"
    assert cut["role"] == "policy lever" and table.loc["commissioning_delay", "role"] == ""
    assert model.param("cut_fraction").source == "surrey_budget_cut"
    assert not (table["units"] == "dimensionless").any()
    keys = {e.key for e in dk.evidence.all_sources()}
    assert not set(table["source"]) & keys, set(table["source"]) & keys
    html = table._repr_html_()
    assert "dimensionless" not in html and "surrey_budget_cut" not in html and "policy_lever" not in html
    # each row headed by the label a reader knows, as an evidence table is by its citation; the name on hover
    assert "title='name cut_fraction'>Budget cut</th>" in html and ">0.25<" in html


def test_a_parameter_table_shows_large_and_small_numbers_as_typed():
    """The table writes each number as it was typed ("0.25", "3"): a budget of 1,250,000 must not
    read "1.25e+06" (the general format's exponent), which a reader at home in Excel would not
    recognise as the number the model says."""
    model = dk.Model("budget", [
        dk.Stock("money", "budget", units="£"),
        dk.Param("budget", 1_250_000, units="£"),
        dk.Param("share", 0.25),
        dk.Param("years", 3.0, units="year"),
    ], stop=2)
    html = model.parameter_table()._repr_html_()
    assert ">1250000<" in html and ">0.25<" in html and ">3<" in html, html
    assert "e+06" not in html and ">3.0<" not in html
