"""Build (with the system's C compiler, at bench time) and load bench/anchors/reference.c."""

import ctypes
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

SOURCE = Path(__file__).with_name("reference.c")
# -ffp-contract=off: no fused multiply-adds, so the numbers are those of the other versions
FLAGS = ["-O3", "-march=native", "-ffp-contract=off", "-shared", "-fPIC"]


def load():
    """``(run, None)`` with ``run(base_referrals, support_time, relapse_rate) -> (481, 22, n) array``,
    or ``(None, reason)`` when no C compiler is available or the build fails."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        return None, "no C compiler found (cc, gcc or clang)"
    folder = Path(tempfile.mkdtemp(prefix="dpmkit-bench-"))
    lib_path = folder / "reference.so"
    done = subprocess.run([cc, *FLAGS, str(SOURCE), "-o", str(lib_path)], capture_output=True, text=True)
    if done.returncode != 0:
        return None, f"building the C anchor with {cc} failed: {done.stderr.strip()[:200]}"
    lib = ctypes.CDLL(str(lib_path))
    dptr = ctypes.POINTER(ctypes.c_double)
    lib.run.argtypes = [ctypes.c_int, dptr, dptr, dptr, dptr]
    lib.run.restype = ctypes.c_int

    def run(base_referrals, support_time, relapse_rate):
        args = [np.ascontiguousarray(a, dtype=float) for a in (base_referrals, support_time, relapse_rate)]
        n = len(args[0])
        out = np.empty((481, 22, n))
        if lib.run(n, *(a.ctypes.data_as(dptr) for a in args), out.ctypes.data_as(dptr)) != 0:
            raise MemoryError("the C anchor could not allocate its state")
        return out

    run.compiler = cc
    return run, None
