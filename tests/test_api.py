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


def test_no_eval_or_exec_outside_the_verified_kernel_builder():
    import re
    from pathlib import Path

    call = re.compile(r"(?<![\w.])(eval|exec|compile)\(")

    root = Path(dk.__file__).parent
    hits = []
    for path in root.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            if call.search(code):
                hits.append(f"{path.relative_to(root)}:{number}")
    # the only exec/compile: compiler.py builds kernels from whitelisted source
    assert all(h.startswith("compiler.py:") for h in hits), hits
    assert len(hits) == 2, hits


def test_import_is_light():
    code = "import sys, dpmkit; print(sorted(m for m in ('pandas', 'scipy', 'altair', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
