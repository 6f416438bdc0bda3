"""Build an offline wheelhouse: ``make wheelhouse`` runs this.

Run with network, before the day. It builds dpmkit's wheel from this checkout, then
downloads, from that wheel's own requirements (so the list is never written twice),

- the wheels for this machine (``pip download --prefer-binary``), and
- binary wheels for each platform x Python asked for
  (``pip download --only-binary=:all: --platform P --python-version V``),

one ``pip download`` per combination, so that one combination that cannot be served
(a project that publishes no wheel for it) does not stop the others. At the end it
prints a table of what worked and what did not, with the requirement pip could not
satisfy, and writes the same table to ``wheelhouse-report.txt`` in the wheelhouse.

Exit status: 0 when at least this machine's wheels are complete (the facilitator's
laptop can install offline), even if some other platform failed; 1 otherwise, saying
why. Usage::

    python tools/wheelhouse.py --dest wheelhouse --extra lab \\
        --platforms "win_amd64 macosx_12_0_arm64" --pythons "3.11 3.12"
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "this machine"

_NOT_FOUND = re.compile(r"(?:Could not find a version that satisfies the requirement|"
                        r"No matching distribution found for)\s+(\S+)")
_REQUIRES_PYTHON = re.compile(r"Requires-Python\s*(\S+)|requires a different Python:[^\n]*")


@dataclass
class Outcome:
    platform: str
    python: str
    ok: bool
    reason: str = ""


def pip(python, *args):
    """Run ``python -m pip ARGS``; return (exit code, combined output)."""
    cmd = [python, "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def explain(output, platform, python):
    """Why a ``pip download`` failed, in one line a facilitator can act on."""
    found = _NOT_FOUND.findall(output)
    if found:
        req = found[-1]
        where = "this machine" if platform == HOST else f"{platform}, Python {python}"
        why = f"no wheel of {req} for {where} on the index"
        if platform.startswith("macosx_") and platform.endswith("arm64"):
            why += (" (many projects publish Apple-silicon wheels only for macOS 12 or newer: "
                    "try macosx_12_0_arm64 or macosx_14_0_arm64)")
        elif platform != HOST:
            why += " (the project may not publish wheels for this Python yet, or no longer)"
        return why
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or ["pip failed without a message"])[-1][:300]


def build_wheel(python, dest):
    code, out = pip(python, "wheel", "--no-deps", "--wheel-dir", str(dest), str(ROOT))
    if code != 0:
        raise SystemExit(f"error: could not build dpmkit's wheel from {ROOT}:\n{out[-2000:]}")
    wheels = sorted(dest.glob("dpmkit-*.whl"), key=lambda p: p.stat().st_mtime)
    return wheels[-1]


def run(python, dest, wheel, extra, platforms, pythons, pip_options=(), log=print):
    """Download everything; return the list of :class:`Outcome` (this machine first)."""
    target = f"{wheel}[{extra}]" if extra else str(wheel)
    common = ["download", "--dest", str(dest), *pip_options]
    outcomes = []
    log(f"== wheels for {HOST}")
    code, out = pip(python, *common, "--prefer-binary", "pip", target)
    outcomes.append(Outcome(HOST, f"{sys.version_info[0]}.{sys.version_info[1]}", code == 0,
                            "" if code == 0 else explain(out, HOST, "")))
    for platform in platforms:
        for version in pythons:
            log(f"== wheels for {platform}, Python {version}")
            code, out = pip(python, *common, "--only-binary=:all:", "--platform", platform,
                            "--python-version", version, "pip", target)
            outcomes.append(Outcome(platform, version, code == 0, "" if code == 0 else explain(out, platform, version)))
    return outcomes


def summary(outcomes, dest):
    rows = [("platform", "Python", "result")] + [
        (o.platform, o.python, "ok" if o.ok else f"FAILED: {o.reason}") for o in outcomes]
    width = [max(len(r[i]) for r in rows) for i in range(2)]
    lines = [f"{r[0]:<{width[0]}}  {r[1]:<{width[1]}}  {r[2]}" for r in rows]
    files = [p for p in dest.iterdir() if p.suffix in (".whl", ".gz", ".zip")]
    size = sum(p.stat().st_size for p in files) / 1e6
    lines.append(f"{len(files)} files, {size:.0f} MB in {dest}")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dest", type=Path, default=Path("wheelhouse"), help="the wheelhouse folder (created)")
    p.add_argument("--extra", default="lab", help="dpmkit extra to include (default lab)")
    p.add_argument("--platforms", default="", help="participants' platforms, e.g. 'win_amd64 macosx_12_0_arm64'")
    p.add_argument("--pythons", default="3.10 3.11 3.12 3.13", help="Python versions for those platforms")
    p.add_argument("--python", default=sys.executable, help="the Python whose pip downloads (default this one)")
    p.add_argument("--wheel", type=Path, default=None,
                   help="a built dpmkit wheel to use instead of building one from this checkout")
    p.add_argument("--pip-option", action="append", default=[],
                   help="an option passed to every pip download, e.g. --pip-option=--index-url=URL")
    args = p.parse_args(argv)
    dest = args.dest.resolve()
    dest.mkdir(parents=True, exist_ok=True)
    wheel = args.wheel.resolve() if args.wheel else build_wheel(args.python, dest)
    outcomes = run(args.python, dest, wheel, args.extra, args.platforms.split(), args.pythons.split(),
                   args.pip_option)
    table = summary(outcomes, dest)
    (dest / "wheelhouse-report.txt").write_text(table + "\n", encoding="utf-8")
    print("\n== wheelhouse summary\n" + table)
    failed = [o for o in outcomes if not o.ok]
    if not outcomes[0].ok:
        print(f"\nerror: the wheels for this machine are incomplete, so not even this laptop can install "
              f"offline from {dest}: {outcomes[0].reason}", file=sys.stderr)
        return 1
    if failed:
        print(f"\nThe wheelhouse serves this machine and {len(outcomes) - 1 - len(failed)} of "
              f"{len(outcomes) - 1} other platform/Python pairs; participants on the pairs marked FAILED "
              "need the room (make room) instead, or another Python version.")
    else:
        print("\nWheelhouse ready. Copy it to the USB stick together with this folder; see workshops/setup.md.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
