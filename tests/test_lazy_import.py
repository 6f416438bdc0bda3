"""`import dpmkit` loads only the model language; the rest loads on first use and then
behaves exactly as an eager import did."""

import subprocess
import sys

import pytest


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_import_loads_neither_the_engine_nor_the_analysis():
    out = _run("import sys, dpmkit; print(sorted(m for m in sys.modules if m.startswith('dpmkit')))")
    assert out == "['dpmkit', 'dpmkit.builtins', 'dpmkit.errors', 'dpmkit.expressions', 'dpmkit.spec']"


@pytest.mark.parametrize("first", [
    "import dpmkit.simulate", "import dpmkit.xmile", "import dpmkit.analysis", "from dpmkit import simulate",
    "import dpmkit.models; dpmkit.models.load('demo')", "from dpmkit import *", "dpmkit.ensemble",
])
def test_dk_simulate_stays_the_function_whichever_module_loads_first(first):
    code = (f"import dpmkit\n{first}\nimport dpmkit as dk\n"
            "m = dk.models.load('demo')\n"
            "print(callable(dk.simulate), type(dk.simulate).__name__, round(dk.simulate(m).final('waiting_list'), 6),"
            " dk.ensemble(m, n=4, seed=1)['waiting_list'].shape)")
    assert _run(code) == "True function 40.0 (241, 4)"


def test_lazy_names_are_the_real_objects():
    import dpmkit as dk
    from dpmkit import analysis, results, simulate

    assert dk.calibrate is analysis.calibrate and dk.loops is analysis.loops
    assert dk.Result is results.Result and dk.EnsembleResult is results.EnsembleResult
    assert dk.ensemble is sys.modules["dpmkit.simulate"].ensemble and dk.simulate is simulate
    assert {"simulate", "Result", "analysis", "calibrate"} <= set(dir(dk))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        dk.nonsense  # noqa: B018
