"""Checks every registered ready-made model must pass, whoever wrote it.

The tests loop over ``dk.models.available()``, so a new model is checked as soon as it
is registered: it builds, runs warning-free with Euler and RK4, documents and sources
every parameter, carries a model card, has scenarios that run, keeps its people stocks
non-negative across its uncertainty ranges, uses the DPM roles, and matches its golden
trajectory (``tests/golden/<model>.csv``, written deliberately by
``python tests/regenerate_golden.py <model>``).
"""

import re
import warnings

import numpy as np
import pytest
from regenerate_golden import ATOL_SCALE, RTOL, golden_table, read

import dpmkit as dk
from dpmkit.units import parse_units

# these tests hold the vectorised kernel to single runs with small ensembles (conftest.py)
pytestmark = pytest.mark.usefixtures("vector_ensembles")

MODELS = dk.models.available()
CARD_SECTIONS = ("Summary", "Stocks and flows", "Parameters", "Reference behaviour", "Further reading")
#: Base units that count people; a stock whose units are exactly one of these counts people.
PEOPLE = {"people", "person", "young people", "children", "child", "clients", "client", "staff", "FTE",
          "offenders", "volunteers", "users", "patients", "residents", "pupils", "students", "households"}


@pytest.fixture(scope="module", params=MODELS)
def model(request):
    return dk.models.load(request.param)


def counts_people(units):
    try:
        parsed = parse_units(units)
    except ValueError:
        return False
    return len(parsed) == 1 and next(iter(parsed.items())) in {(p, 1) for p in PEOPLE}


def test_people_units_are_recognised():
    # The non-negativity check below relies on this; keep it honest.
    assert counts_people("people") and counts_people("young people") and counts_people("FTE")
    assert not counts_people("people/year") and not counts_people("£m/year") and not counts_people("dimensionless")


def test_registry_has_the_models_of_the_kit():
    assert {"demo", "surrey"} <= set(MODELS)


def test_builds_under_its_registry_name(model):
    assert isinstance(model, dk.Model)
    assert model.name in MODELS
    assert dk.models.load(model.name).name == model.name


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_runs_warning_free_and_finite(model, method):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = dk.simulate(model, method=method)
    assert np.isfinite(result.values).all()
    assert result.values.shape == (len(model.time), len(result.names))


def test_units_are_declared_and_consistent(model):
    undeclared = [v.name for v in model.stocks + model.flows + model.params if not v.units.strip()]
    assert not undeclared, f"{model.name}: declare units (or 'dimensionless') for {undeclared}"
    issues = [str(i) for i in dk.check_units(model)]
    assert not issues, f"{model.name}: units issues: {issues}"


def test_every_parameter_is_documented_and_sourced(model):
    problems = []
    for p in model.params:
        if p.bounds is None:
            problems.append(f"{p.name}: no bounds")
        if not p.description.strip():
            problems.append(f"{p.name}: no description")
        if not p.source:
            problems.append(f"{p.name}: no source (an evidence key, or 'assumption')")
    assert not problems, f"{model.name}: " + "; ".join(problems)


def test_every_evidence_key_used_is_registered(model):
    registered = {s.key for s in dk.evidence.all_sources()}
    used = {v.source for v in model.params + model.lookups if getattr(v, "source", None)}
    missing = sorted(used - registered)
    assert not missing, f"{model.name}: evidence keys not in the registry: {missing}"
    for key in used:
        source = dk.evidence.get(key)
        assert source.citation and source.status in ("published", "derived", "assumption")
        if source.status == "published":
            assert source.url, f"published evidence {key!r} needs a URL"


def test_model_card_has_the_five_sections(model):
    card = dk.models.card(model.name) or ""
    for section in CARD_SECTIONS:
        pattern = rf"^{re.escape(section)}\n-{{{len(section)}}}\s*$"
        assert re.search(pattern, card, flags=re.MULTILINE), (
            f"{model.name}: the model card (module docstring) needs a numpydoc section {section!r}"
        )


def test_card_names_every_parameter(model):
    card = dk.models.card(model.name)
    missing = [p.name for p in model.params if p.name not in card]
    assert not missing, f"{model.name}: the model card's Parameters section does not mention {missing}"


def test_roles_cover_the_dpm_chart(model):
    roles = {v.role for v in model.variables}
    for role in ("strategic_resource", "performance_driver", "end_result"):
        assert role in roles, f"{model.name}: no variable has the DPM role {role!r}"


def test_dpm_chart_boxes_use_no_unexplained_abbreviation(model):
    """A box on a DPM chart is read by learners who may not know the service: an abbreviation
    in its label must be a glossary term (NEET is). Lesson 03's exercise chart showed
    'Spread of the YRI', and no lesson says what the YRI is."""
    from dpmkit import glossary

    known = {t.term for t in glossary.TERMS}
    unexplained = [(v.name, word) for v in model.variables if v.role
                   for word in re.findall(r"\b[A-Z]{2,}\b", v.label) if word not in known]
    assert not unexplained, unexplained


def test_roles_follow_bianchis_definitions(model):
    # End results are the flows that change strategic-resource stocks; performance drivers are
    # auxiliaries that drive them; policy levers are parameters (dk.dpm.ROLE_RULES).
    problems = dk.dpm.role_problems(model)
    assert not problems, f"{model.name}: " + "; ".join(problems)
    dk.dpm.check_roles(model)
    # ... and they survive a round trip through XMILE, where the same check applies
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{model.name}.xmile"
        dk.xmile.write(model, path)
        reread = dk.xmile.read(path)
    assert {v.name: v.role for v in reread.variables if v.role} == {v.name: v.role for v in model.variables
                                                                     if v.role}
    dk.dpm.check_roles(reread)


def test_scenarios_exist_and_run(model):
    assert model.scenario_names, f"{model.name}: declare at least one named scenario"
    for name in model.scenario_names:
        result = dk.simulate(model, model.scenario(name))
        assert np.isfinite(result.values).all(), f"{model.name}: scenario {name!r}"


def test_runs_with_each_parameter_at_either_bound(model):
    # Sliders reach the bounds: every value a slider offers must give a valid run.
    failures = []
    for p in model.params:
        for value in p.bounds:
            try:
                result = dk.simulate(model, {p.name: value})
            except dk.ModelError as err:
                failures.append(f"{p.name}={value:g}: {err}")
                continue
            for name in _people_stocks(model):
                if result[name].min() < 0:
                    failures.append(f"{p.name}={value:g}: {name} went negative")
    assert not failures, f"{model.name}: " + "; ".join(failures[:5])


def _people_stocks(model):
    return [s.name for s in model.stocks if counts_people(s.units)]


def test_people_stocks_never_go_negative(model):
    people = _people_stocks(model)
    if not people:
        pytest.skip(f"{model.name} has no stock counted in people")
    runs = [dk.simulate(model, model.scenario(name)) for name in model.scenario_names]
    runs.append(dk.simulate(model, method="rk4"))
    for result in runs:
        for name in people:
            assert result[name].min() >= 0, f"{model.name}: {name} went negative"
    if model.uncertainties:
        ens = dk.ensemble(model, n=64, seed=20240601, record=people)
        for name in people:
            low = float(ens[name].min())
            assert low >= 0, f"{model.name}: {name} reached {low:g} in a Monte-Carlo run"


def test_golden_trajectory(model):
    how = f"python tests/regenerate_golden.py {model.name}"
    golden = read(model.name)
    if golden is None:
        pytest.fail(f"no golden trajectory for model {model.name!r}. If the model is ready, create it "
                    f"deliberately with `{how}` and commit tests/golden/{model.name}.csv", pytrace=False)
    names, times, values = golden_table(model)
    g_names, g_times, g_values = golden
    if list(g_names) != list(names) or len(g_times) != len(times) or not np.allclose(g_times, times):
        pytest.fail(f"the stocks or times of {model.name!r} no longer match tests/golden/{model.name}.csv "
                    f"(golden: {g_names}; now: {names}). If the change is deliberate, run `{how}`.",
                    pytrace=False)
    scale = np.maximum(np.abs(g_values).max(axis=0), 1.0)
    close = np.isclose(values, g_values, rtol=RTOL, atol=0) | (np.abs(values - g_values) <= ATOL_SCALE * scale)
    if not close.all():
        i, j = np.argwhere(~close)[0]
        pytest.fail(
            f"{model.name!r} moved away from its golden trajectory: {names[j]} at TIME = {times[i]:g} is "
            f"{values[i, j]:.7g}, golden {g_values[i, j]:.7g} ({(~close).sum()} values differ). If the change "
            f"is deliberate, run `{how}` and commit the new file; otherwise find what changed.",
            pytrace=False,
        )


@pytest.mark.parametrize("name", dk.models.available())
def test_evidence_keys_cited_in_the_card_are_registered(name):
    """Every ``key`` the model card cites, with a registry topic prefix, is registered."""
    import re

    model = dk.models.load(name)
    registered = {s.key for s in dk.evidence.all_sources()}
    topics = {key.split("_")[0] for key in registered if "_" in key}
    known = set(model.names) | set(model.scenario_names)
    words = set(re.findall(r"``([a-z0-9_]+)``", dk.models.card(name)))
    # ``gaming_k`` and the like stand for generated per-locality names (gaming_01 ... gaming_11)
    cited = {w for w in words - known if w.split("_")[0] in topics and not w.endswith("_k")}
    assert cited <= registered, sorted(cited - registered)


def test_a_model_card_shown_in_a_notebook_reads_as_a_formatted_page():
    """Lesson 08's no-code track printed the attractor model's card: a docstring with ``names``
    in double backticks, ``**bold**`` and ``:func:`build```, read as code. Shown as a cell's result
    (what IPython's own formatter hands the notebook), the card is Markdown: its title and its
    sections' names bold, no cross-reference roles; print still gives the text as written."""
    from IPython.core.formatters import DisplayFormatter

    card = dk.models.card("attractor")
    shown, _ = DisplayFormatter().format(card)
    page = shown["text/markdown"]
    assert page.startswith("**Attractor: many local systems steered by a shared outcomes framework")
    assert "\n**Reference behaviour**\n\n" in page and "---" not in page  # bold, not an underlined line
    assert ":func:" in card and ":func:" not in page and "``build``" in page
    assert str(card) == dk.models._module("attractor").__doc__
