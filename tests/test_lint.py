"""The house stays tidy: ruff (configured in pyproject.toml) finds nothing to report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    # ruff is a test dependency (pyproject's `test` extra); run the one installed beside
    # this Python, so the result does not depend on what else is on the machine's PATH.
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]


def test_ruff_would_catch_an_unused_import(tmp_path):
    # The check can fail: the same configuration flags a file with an unused import.
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
                           str(ROOT / "pyproject.toml"), str(bad)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "F401" in done.stdout
