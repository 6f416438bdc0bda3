"""Pre-flight check: can this machine run the kit, offline, today?

Run it on every participant machine before a workshop (or ask participants to run
it when they install)::

    python -m dpmkit.preflight                      # or: make preflight
    python -m dpmkit.preflight --ballots /srv/workshop/ballots

It checks the Python version; that the kit's packages are installed and import
(the core, and the JupyterLab extras); that JupyterLab, its kernel and the widget
extension are present; that charts render to SVG with no internet; that a model
runs (and every ready-made model); and, if you name one, that the shared ballot
folder can be written and read. It prints a checklist with ✓ or ✗ and, for every
✗, what to do. The exit code is 0 when everything passed and 1 otherwise.

>>> from dpmkit import preflight
>>> check = preflight.check_python()
>>> check.ok
True
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Check", "REQUIREMENTS", "run_checks", "report", "main"]

#: What a participant's machine needs, as in pyproject.toml (a test keeps the two the same):
#: ``core`` for the library, ``lab`` for notebooks, widgets and charts.
REQUIREMENTS = {
    "core": ("numpy>=1.24", "scipy>=1.15", "pandas>=2.0", "defusedxml>=0.7", "SALib>=1.5"),
    "lab": ("jupyterlab>=4.2", "ipywidgets>=8.1", "ipython>=8.0", "ipykernel>=6.0", "altair>=5.5", "anywidget>=0.9",
            "vl-convert-python>=1.6"),
}
#: Import name of each distribution, where they differ.
_IMPORT = {"vl-convert-python": "vl_convert", "ipython": "IPython"}
MIN_PYTHON = (3, 10)


@dataclass(frozen=True)
class Check:
    """One line of the checklist.

    Attributes
    ----------
    name : str
        What was checked, e.g. "Python version".
    ok : bool
    detail : str
        What was found.
    fix : str
        What to do when ``ok`` is False ("" otherwise).
    """

    name: str
    ok: bool
    detail: str = ""
    fix: str = ""


def _python_cmd():
    return f'"{sys.executable}"' if " " in sys.executable else sys.executable


def _split(requirement):
    match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*>=\s*([0-9][0-9.]*)", requirement)
    if not match:  # pragma: no cover - REQUIREMENTS is ours
        raise ValueError(f"cannot read requirement {requirement!r}")
    return match[1], match[2]


def _version_tuple(text):
    """'2.4.6' -> (2, 4, 6); '2.0.0rc1' -> (2, 0, 0); trailing text ignored."""
    parts = []
    for piece in str(text).split("."):
        digits = re.match(r"\d+", piece)
        if not digits:
            break
        parts.append(int(digits[0]))
        if digits[0] != piece:
            break
    return tuple(parts)


def _at_least(installed, minimum):
    a, b = _version_tuple(installed), _version_tuple(minimum)
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)) >= b + (0,) * (width - len(b))


def _installed_version(dist):
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def check_python():
    """Python is new enough."""
    found = ".".join(str(v) for v in sys.version_info[:3])
    need = ".".join(str(v) for v in MIN_PYTHON)
    if sys.version_info[:2] >= MIN_PYTHON:
        return Check("Python version", True, f"Python {found} ({need} or newer needed)")
    return Check("Python version", False, f"Python {found}, but the kit needs {need} or newer",
                 f"Install Python {need} or newer (python.org, or conda), then set the kit up again with "
                 "`make lab` (see workshops/setup.md).")


def check_packages(group):
    """Every package of ``group`` ("core" or "lab") is installed, new enough, and imports."""
    found, problems, install = [], [], []
    for requirement in REQUIREMENTS[group]:
        dist, minimum = _split(requirement)
        version = _installed_version(dist)
        if version is None:
            problems.append(f"{dist} is missing")
            install.append(requirement)
            continue
        if not _at_least(version, minimum):
            problems.append(f"{dist} {version} is older than {minimum}")
            install.append(requirement)
            continue
        try:
            importlib.import_module(_IMPORT.get(dist, dist))
        except Exception as err:  # a broken binary raises all sorts of errors
            problems.append(f"{dist} {version} is installed but does not import ({type(err).__name__}: {err})")
            install.append(requirement)
            continue
        found.append(f"{dist} {version}")
    title = {"core": "Core packages", "lab": "JupyterLab packages (lab extra)"}.get(group, f"{group} packages")
    if not problems:
        return Check(title, True, ", ".join(found))
    quoted = " ".join(f'"{r}"' for r in install)
    return Check(title, False, "; ".join(problems),
                 f"In the kit's folder run `make lab`, or install them into this Python with: "
                 f"{_python_cmd()} -m pip install --upgrade {quoted}")


def _script(name):
    """Path of a console script installed beside this Python, or on PATH."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe", folder / "Scripts" / f"{name}.exe"):
        if candidate.exists():
            return candidate
    found = shutil.which(name)
    return Path(found) if found else None


def check_jupyter():
    """JupyterLab, a Python kernel and the widget extension are there, for this Python."""
    problems, found = [], []
    for module, what in (("jupyterlab", "JupyterLab"), ("ipykernel", "the Python kernel (ipykernel)"),
                         ("jupyterlab_widgets", "the widget extension (jupyterlab_widgets)"),
                         ("ipywidgets", "ipywidgets")):
        try:
            mod = importlib.import_module(module)
        except Exception:
            problems.append(f"{what} is missing")
            continue
        found.append(f"{module} {getattr(mod, '__version__', '')}".strip())
    command = _script("jupyter-lab")
    if command is None:
        problems.append("the `jupyter-lab` command was not found")
    if problems:
        return Check("JupyterLab and widgets", False, "; ".join(problems),
                     "In the kit's folder run `make lab` (it installs JupyterLab and the widgets into .venv), "
                     f"or: {_python_cmd()} -m pip install \"jupyterlab>=4.2\" \"ipywidgets>=8.1\"")
    return Check("JupyterLab and widgets", True, f"{', '.join(found)}; command: {command}")


def check_charts():
    """A chart renders to SVG on this machine, with no internet (vl-convert)."""
    name = "Charts render offline (SVG)"
    fix = (f"Reinstall the chart renderer: {_python_cmd()} -m pip install --upgrade \"vl-convert-python>=1.6\" "
           "\"altair>=5.5\" (or run `make lab`).")
    try:
        import altair as alt
        import pandas as pd
        import vl_convert
    except Exception as err:
        return Check(name, False, f"cannot import the chart packages ({type(err).__name__}: {err})", fix)
    try:
        # Inline data only: rendering must not need the network.
        data = pd.DataFrame({"year": [2009, 2012, 2014], "neet": [1080, 700, 429]})
        spec = alt.Chart(data).mark_line(point=True).encode(x="year:Q", y="neet:Q").to_dict()
        started = time.perf_counter()
        svg = vl_convert.vegalite_to_svg(spec)
        took = time.perf_counter() - started
    except Exception as err:
        return Check(name, False, f"rendering failed ({type(err).__name__}: {err})", fix)
    if not svg.lstrip().startswith("<svg") or "<path" not in svg:
        return Check(name, False, "the renderer returned something that is not a drawing", fix)
    return Check(name, True, f"altair {alt.__version__}, vl-convert {vl_convert.__version__}; "
                             f"a line chart rendered in {took * 1000:.0f} ms")


def check_model():
    """The engine runs a model and gets the numbers it should."""
    name = "A model runs"
    fix = ("The kit itself did not run. Reinstall it (`make lab`, or pip install -e . in the kit's folder) "
           "and, if this stays, show the message above to the facilitator.")
    try:
        import numpy as np

        import dpmkit as dk

        model = dk.models.load("demo")
        started = time.perf_counter()
        result = dk.simulate(model)
        cut = dk.simulate(model, {"staff_target": 12})
        took = time.perf_counter() - started
        ens = dk.ensemble(model, n=50, seed=1)
    except Exception as err:
        return Check(name, False, f"{type(err).__name__}: {err}", fix)
    finite = bool(np.isfinite(result.values).all() and np.isfinite(ens.values).all())
    # Fewer caseworkers must leave a longer waiting list: a sign the numbers make sense.
    sensible = finite and cut.final("waiting_list") > result.final("waiting_list")
    if not sensible:
        return Check(name, False, "the demo model ran but gave numbers that make no sense", fix)
    return Check(name, True, f"demo model: two runs in {took * 1000:.1f} ms, a 50-run ensemble too")


def check_models():
    """Every ready-made model builds and runs warning-free."""
    import warnings

    name = "Every ready-made model runs"
    try:
        import dpmkit as dk

        names = dk.models.available()
    except Exception as err:
        return Check(name, False, f"{type(err).__name__}: {err}", "Reinstall the kit (`make lab`).")
    failed, started = [], time.perf_counter()
    for model_name in names:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                result = dk.simulate(dk.models.load(model_name))
            if not all(math.isfinite(float(x)) for x in result.values[-1]):
                raise ValueError("numbers that are not finite")
        except Exception as err:
            failed.append(f"{model_name} ({type(err).__name__}: {str(err)[:120]})")
    took = time.perf_counter() - started
    if failed:
        return Check(name, False, "failed: " + "; ".join(failed),
                     "This is a fault in the kit, not in your machine: tell the facilitator, and avoid "
                     "these models for now.")
    return Check(name, True, f"{len(names)} models ({', '.join(names)}) in {took:.1f} s")


def check_ballots(folder):
    """The shared ballot folder exists, can be written and read, and is set up for sharing."""
    from .errors import ModelError
    from .workshop.store import check_folder

    shown = repr(folder) if isinstance(folder, str) and not folder.isprintable() else folder
    name = f"Ballot folder {shown}"
    try:
        path = check_folder(folder)
    except ModelError as err:
        return Check(name, False, "is not written as a path", str(err)[0].upper() + str(err)[1:] + ".")
    if not path.exists():
        return Check(name, False, "does not exist",
                     "Check the path with the facilitator. To create a shared folder on a hub, see "
                     "'A shared ballot folder' in workshops/setup.md.")
    if not path.is_dir():
        return Check(name, False, "is a file, not a folder", "Use the folder's path.")
    try:
        fd, probe = tempfile.mkstemp(prefix=".preflight-", suffix=".tmp", dir=path)
        try:
            os.write(fd, b"dpmkit preflight probe")
        finally:
            os.close(fd)
        os.unlink(probe)
    except OSError as err:
        return Check(name, False, f"cannot be written ({err.strerror or err})",
                     "Ask whoever manages the folder to make it writable for you (on a hub: add you to its "
                     "group; see workshops/setup.md). Meanwhile the ballot widget gives you a code to paste.")
    from . import workshop

    if not os.access(path, os.R_OK):
        # A drop box (e.g. mode 3733): participants may write but not list or read.
        return Check(name, True, "writable; you cannot list it, which is fine: only the facilitator reads ballots")
    try:
        found = workshop.collect(path)
    except Exception as err:
        return Check(name, False, f"cannot be read ({type(err).__name__}: {err})",
                     "Ask whoever manages the folder to make it readable for you.")
    detail = f"writable and readable; {len(found)} ballot{'' if len(found) == 1 else 's'} in it"
    if found.rejected:
        n = len(found.rejected)
        detail += ", 1 file that is not a ballot" if n == 1 else f", {n} files that are not ballots"
    if os.name == "posix":
        mode = path.stat().st_mode
        shared = bool(mode & stat.S_IWGRP) and bool(mode & stat.S_ISGID)
        detail += f"; permissions {stat.filemode(mode)}"
        if not shared:
            detail += (" (fine for one person; for a class on a hub make it group-writable with setgid and the "
                       "sticky bit, chmod 3770: see workshops/setup.md)")
        elif not mode & stat.S_ISVTX:
            detail += (" (anyone in the group can delete anyone's ballots: add the sticky bit, chmod 3770, so "
                       "each can delete only their own; see workshops/setup.md)")
    return Check(name, True, detail)


def run_checks(ballots=None, *, models=True):
    """Run every check and return the list of :class:`Check` results.

    Parameters
    ----------
    ballots : str or Path, optional
        A shared ballot folder to check as well.
    models : bool
        Also run every ready-made model (a few seconds).
    """
    checks = [check_python, lambda: check_packages("core"), lambda: check_packages("lab"), check_jupyter,
              check_charts, check_model]
    if models:
        checks.append(check_models)
    if ballots is not None:
        checks.append(lambda: check_ballots(ballots))
    results = []
    for check in checks:
        try:
            results.append(check())
        except Exception as err:  # a check must report, never crash the checklist
            results.append(Check(getattr(check, "__name__", "check"), False, f"{type(err).__name__}: {err}",
                                 "Show this message to the facilitator."))
    return results


def _symbols(stream):
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "✓✗→".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "[ok]", "[!!]", "->"
    return "✓", "✗", "→"


def report(checks, *, ascii=False, stream=None):
    """The checklist as text: one line per check, and what to do for each failure."""
    yes, no, arrow = ("[ok]", "[!!]", "->") if ascii else _symbols(stream or sys.stdout)
    try:
        from . import __version__
    except Exception:  # pragma: no cover
        __version__ = "?"
    lines = [f"dpmkit pre-flight check (dpmkit {__version__}, Python {sys.version.split()[0]}, {sys.platform})", ""]
    for c in checks:
        lines.append(f"  {yes if c.ok else no} {c.name}: {c.detail}")
        if not c.ok and c.fix:
            lines.append(f"      {arrow} {c.fix}")
    failed = sum(not c.ok for c in checks)
    lines.append("")
    if failed:
        lines.append(f"{failed} of {len(checks)} checks failed. Fix the lines marked {no}, then run this check again.")
    else:
        lines.append(f"All {len(checks)} checks passed: this machine is ready for the workshop.")
    return "\n".join(lines)


def main(argv=None):
    """Command line: ``python -m dpmkit.preflight [--ballots FOLDER] [--quick] [--ascii]``."""
    parser = argparse.ArgumentParser(
        prog="python -m dpmkit.preflight",
        description="Check that this machine can run the dpmkit workshop kit, offline.")
    parser.add_argument("--ballots", metavar="FOLDER", help="also check that this shared ballot folder works")
    parser.add_argument("--quick", action="store_true", help="skip running every ready-made model")
    parser.add_argument("--ascii", action="store_true", help="plain [ok]/[!!] marks instead of ✓/✗")
    args = parser.parse_args(argv)
    checks = run_checks(args.ballots, models=not args.quick)
    print(report(checks, ascii=args.ascii))
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
