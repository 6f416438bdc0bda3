"""The public surface is deliberate: changes to it must change this test."""

import subprocess
import sys

import dpmkit as dk


def test_all_is_pinned():
    assert sorted(dk.__all__) == [
        "Aux", "EnsembleResult", "Flow", "Lookup", "Model", "ModelError", "Param", "ROLES", "Result",
        "Stock", "UnitsWarning", "calibrate", "check_units", "clustering_test", "compare", "ensemble",
        "frontier", "loop_dominance", "loop_knockout", "loops", "models", "parse", "recalibrate",
        "sample_params", "sensitivity", "simulate", "uncertainty",
    ]
    for name in dk.__all__:
        assert getattr(dk, name) is not None


def test_model_error_is_a_value_error():
    assert issubclass(dk.ModelError, ValueError)


def test_registry_contract():
    assert "demo" in dk.models.available()
    m = dk.models.load("demo", staff_target=25)
    assert isinstance(m, dk.Model) and m["staff_target"].default == 25
    assert "Reference behaviour" in dk.models.card("demo")


def test_unknown_model_is_a_clear_error():
    import pytest

    with pytest.raises(dk.ModelError, match="did you mean 'demo'"):
        dk.models.load("demoo")
    with pytest.raises(dk.ModelError, match="outside its bounds"):
        dk.models.load("demo", staff_target=1000)


def test_import_is_light():
    code = ("import sys, dpmkit; "
            "print(sorted(m for m in ('pandas', 'scipy', 'altair', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


#: Each public submodule's ``__all__``: a change to what a submodule offers must change this.
SUBMODULES = {
    "analysis": [
        "Calibration", "ClusteringTest", "FrontierResult", "Loop", "LoopSet", "Recalibration",
        "UncertaintyResult", "calibrate", "clustering_test", "compare", "elementary_cycles",
        "frontier", "loop_dominance", "loop_knockout", "loops", "nondominated", "recalibrate",
        "sensitivity", "uncertainty",
    ],
    "builtins": [
        "BUILTINS", "Builtin", "FUNCTIONS", "OPERATORS", "SIGNATURES", "STATEFUL", "TIME_DEPENDENT",
        "reference",
    ],
    "charts": [
        "DASHES", "FAN_COLUMNS", "FONT", "HEIGHT", "LAB_EXTRA", "LiveTimeSeries", "MAX_POINTS",
        "PALETTE", "REGIME_CELLS", "SCENARIO_COLUMNS", "SHAPES", "STORY_STEPS", "Story",
        "StoryStep", "TORNADO_COLUMNS", "WIDTH", "ballot_levers", "ballot_predictions", "ballot_runs",
        "calibration", "describe", "fan",
        "frontier", "inline_data", "interactive", "offline", "projector", "regime_path", "save",
        "scenarios", "show", "spec_to_svg", "static", "story", "time_series", "to_svg", "tornado",
        "vl_convert_svg",
    ],
    "dpm": [
        "COLUMNS", "Diagram", "ROLE_RULES", "STAGES", "VIEWS", "VIEW_NOTES", "chart", "check_roles",
        "crossings", "focus_set", "loop_diagram", "role_problems", "structure",
    ],
    "evidence": [
        "ASSUMPTION", "NO_QUOTE", "NO_STABLE_LINK", "STABLE_HOSTS", "STATUSES", "Source",
        "all_sources", "cite", "get", "link_problem", "problems", "quote_problem",
        "quoted_passages", "short_citation", "status_of", "table",
    ],
    "glossary": [
        "GROUPS", "TERMS", "Term", "get", "markdown", "table", "terms",
    ],
    "models": [
        "as_model", "available", "card", "load", "moments", "watched",
    ],
    "game": [
        "Event", "GAMES", "Game", "GameSpec", "Outcome", "Role", "Round", "available", "debrief", "export", "load",
        "new",
    ],
    "room": [
        "Room", "RoomError", "STATE_FILE", "table_list",
    ],
    "roles": [
        "ROLE_RULES", "check_roles", "headline", "influences", "role_problems", "roles_of",
    ],
    "widgets": [
        "BallotWidget", "Check", "Explorer", "FocusWidget", "Game", "LAB_EXTRA", "ModelSheet", "Predict", "RENDERS",
        "StoryWidget", "ballot_widget", "check", "control_for", "explore", "focus", "game", "judge", "model_sheet",
        "nice_step", "predict", "story",
    ],
    "words": [
        "TIME_WORDS", "axis_title", "both_readings", "count", "difference", "escaped", "estimate", "is_calendar",
        "lower_first", "moment", "number", "parse_number", "quantity", "role", "scenario", "scenarios", "signed",
        "span", "stretch", "time_label", "time_value", "units", "when",
    ],
    "sheet": [
        "COLUMNS", "MAX_CHARS", "MAX_ROWS", "dumps", "number_cell", "read", "read_data",
    ],
    "workshop": [
        "Ballot", "CODE_PREFIX", "Collection", "FILE_MODE", "MAX_BYTES", "Rejected", "SCHEMA",
        "SESSION_FILE", "STALE_SECONDS", "ServingRoom", "Session", "VERSION", "ballot_widget", "check_folder",
        "clean_line",
        "collect", "dashboard", "declared_moments", "example_ballots", "fingerprint", "make_ballot", "moment_words",
        "near_table",
        "open_round", "prediction_spec", "read_ballot", "read_code", "read_session", "serving_room", "submit",
    ],
    "xmile": [
        "MAX_BYTES", "MAX_ELEMENTS", "NAMESPACE", "dumps", "identifier", "read", "write",
    ],
}


def test_every_public_submodule_pins_its_names():
    import importlib

    for name, expected in SUBMODULES.items():
        module = importlib.import_module(f"dpmkit.{name}")
        assert sorted(module.__all__) == expected, name
        for attr in module.__all__:
            assert getattr(module, attr, None) is not None, f"dpmkit.{name}.{attr}"


def test_every_submodule_of_the_package_is_pinned_or_private():
    from pathlib import Path

    root = Path(dk.__file__).parent
    public = {p.stem for p in root.glob("*.py") if not p.stem.startswith("_")}
    public |= {p.name for p in root.iterdir() if (p / "__init__.py").exists() and not p.name.startswith("_")}
    # the engine's inner modules, reached through dk.* and the pinned submodules above
    inner = {"compiler", "errors", "expressions", "preflight", "results", "simulate", "spec", "units"}
    assert public - inner == set(SUBMODULES)
