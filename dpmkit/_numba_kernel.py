"""The optional compiled backend of :func:`dpmkit.ensemble`: the model's scalar kernel,
looped over runs, compiled to machine code with numba (``pip install "dpmkit[fast]"``).

How it is built, and why it is safe:

* The source comes from the kit's own generator (:class:`dpmkit.compiler._Gen` in its
  ``"ieee"`` scalar mode: the same statements, temporaries, in-place lookups and
  non-negative guards as a single run), arranged as hand-written C for an ensemble is:
  each run's initial values first, then time steps outside and runs inside, each run's
  state (parameters, stocks, what is constant during a run) in a row of an array, each
  recorded value written straight into the ensemble's ``(time, variable, run)`` array
  in memory order. RK4's step is the compiler's (:meth:`dpmkit.compiler._Gen.rk4_step`),
  with its three later stages written out in place (numba cannot inline the compiler's
  ``_rates`` closure beyond 30 arguments). Lookup tables
  of more than :data:`dpmkit.compiler._INLINE_POINTS` points are read from arrays
  passed in, so no table is a hidden global.
* Before anything is written to disk or imported, :func:`_verify` checks every token
  of that source against a whitelist (the token alphabet, slot and fixed names of
  :func:`dpmkit.compiler._verify_source`, the few names of the run loop, and only the
  helpers compiled here). No user text (model or variable names, units) can appear in it.
* numba caches compiled code only for functions defined in a real file, so the
  verified source is written to ``<cache>/numba/k_<hash>.py`` (the hash covers the
  source, this module's own text, the numba, dpmkit and Python versions), imported
  from there and compiled with ``cache=True``: numba keeps the machine code beside it
  (``__pycache__``), so a later process loads it instead of compiling again.
  ``<cache>`` is the kit's user cache folder (:func:`dpmkit._files.user_cache_dir`:
  ``$DPMKIT_CACHE_DIR``, else the platform's, e.g. ``~/.cache/dpmkit``).
* numba's cache files are pickles, and loading a pickle can run code: they are trusted
  because the folder is the user's own, as their other caches are. So the folder (and
  its ``__pycache__``) is created private (0700) and used only when it is owned by this
  user and not writable by everyone; otherwise this process compiles into a private
  temporary folder, with a warning (:func:`_folder`). The compiled helpers (the builtins)
  are cached by numba beside the package's own files (``dpmkit/__pycache__``), as before.
* The cache is bounded (:func:`_evict`): after a new kernel is compiled, the kernels used
  least recently beyond :data:`CACHE_MAX_KERNELS` or :data:`CACHE_MAX_BYTES` are removed,
  each with its numba files. A process holds a kernel's lock file shared while it writes,
  compiles or loads it, and eviction needs it exclusively, so it never removes a kernel
  another process is loading; a failed eviction is ignored.
* Arithmetic is the single-run kernel's, on floats: IEEE division (numba's ``numpy``
  error model: x/0 gives ±inf or NaN, never an exception), lookups with the same
  interpolation and flat extrapolation, NaN in gives NaN out, no fast-math.

numba is imported only when this backend is first used.
"""

from __future__ import annotations

import hashlib
import importlib.util
import keyword
import os
import re
import sys
import tempfile
import time as _time
import types
import warnings
import weakref
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import numpy as np

from . import builtins as _builtins
from . import compiler as _c
from ._files import LOCKING, atomic_write, file_lock, ours_alone, user_cache_dir
from .builtins import BUILTINS, COMPILED_FORMS
from .errors import ModelError

__all__ = ["available", "why_unsupported", "kernel", "run", "cache_dir", "INSTALL_HINT"]

INSTALL_HINT = 'pip install "dpmkit[fast]"'
#: Run the loop over runs on several threads (numba's prange, parallel=True). Off: on the
#: reference model's 10,000-run ensemble (bench/bench_compiled.py prints both) a 2-core
#: machine gave 0.28 s with it against 0.38 s without when idle (load 0.7), but 1.60 s
#: against 0.43 s and 4.70 s against 1.06 s when shared with other work (load 10-12), as
#: a workshop laptop or a hub often is; one thread already runs within 1.2 x of C.
PARALLEL = False

# A kernel's key covers the text of this module and of dpmkit.builtins, whose functions
# numba compiles into it: numba's cache of a kernel does not notice a change in a function
# it calls, so a changed builtin must make a new kernel.
_MODULE_TEXT_HASH = hashlib.sha256(
    b"".join(Path(f).read_bytes() for f in (__file__, _builtins.__file__))).hexdigest()[:16]


def available():
    """True when numba can be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


# ----------------------------------------------------------- helpers (jitted)
# The builtins are not written again here: dpmkit.builtins.COMPILED_FORMS gives, for each
# helper the generated source calls, the very function its single runs use (or the IEEE
# function that one falls back to), and _helpers has numba compile that.


def _lookup(x, xs, ys, slopes, npts):
    """As compiler._scalar_lookup: flat outside the table, NaN in gives NaN out."""
    if x <= xs[0]:
        return ys[0]
    if x >= xs[npts - 1]:
        return ys[npts - 1]
    if x != x:
        return x
    lo, hi = 0, npts  # bisect_right
    while lo < hi:
        mid = (lo + hi) // 2
        if x < xs[mid]:
            hi = mid
        else:
            lo = mid + 1
    j = lo - 1
    return ys[j] + slopes[j] * (x - xs[j])


#: builtin name -> what numba compiles for it; a builtin missing here makes a model unsupported.
_BUILTIN_IMPL = {name: COMPILED_FORMS[b.helper] for name, b in BUILTINS.items() if b.scalar is not None}
_HELPER_TO_BUILTIN = {b.helper: name for name, b in BUILTINS.items() if b.scalar is not None}
_OTHER_IMPL = {"_div": COMPILED_FORMS["_div"], "_pow": COMPILED_FORMS["_pow"], "_mod": COMPILED_FORMS["_mod"],
               "_lk": _lookup}
_JITTED = None


def _helpers():
    """The jitted helpers by the names the generated source calls them (built once)."""
    global _JITTED
    if _JITTED is None:
        import numba

        jit = numba.njit(cache=True, error_model="numpy")
        made = {}  # one dispatcher per function (MODULO and MOD, SAFEDIV, XIDZ and ZIDZ share one)

        def compiled(fn):
            if not isinstance(fn, types.FunctionType):
                return fn  # a numpy ufunc: numba compiles its call in place
            if fn not in made:
                made[fn] = jit(fn)
            return made[fn]

        out = {name: compiled(fn) for name, fn in _OTHER_IMPL.items()}
        out.update({BUILTINS[name].helper: compiled(fn) for name, fn in _BUILTIN_IMPL.items()})
        out["prange"] = numba.prange
        out["range"] = range
        out["len"] = len
        _JITTED = out
    return _JITTED


# ------------------------------------------------------------------ generator


class _Gen(_c._Gen):
    """The compiler's scalar generator (IEEE division), with a loop over runs around it."""

    def __init__(self, compiled, record):
        super().__init__(compiled, "ieee")
        self.dyn_cols = [(name, j) for j, name in enumerate(record) if name not in compiled.static]
        self.static_cols = [(name, j) for j, name in enumerate(record) if name in compiled.static]

    def inline_lookup(self, k, arg):
        # tables too long to write out are read from the arrays passed in (not globals)
        return super().inline_lookup(k, arg) or f"_lk({arg}, LX[{k}], LY[{k}], LS[{k}], LN[{k}])"

    def inline_call(self, func, args):
        if func in ("MIN", "MAX") and len(args) > 2:
            # folded left, pair by pair, as dpmkit.builtins.s_min / s_max do
            helper = BUILTINS[func].helper
            out = args[0]
            for a in args[1:]:
                out = f"{helper}({out}, {a})"
            return out
        return super().inline_call(func, args)

    def record(self, indent):
        """Each recorded value into its place in ``O``, and their sum into ``q``: ``q`` is
        finite only if every value is (or, very rarely, finite values overflow the sum), so
        the caller looks for the first non-finite value only when ``q`` is not, instead of
        reading the whole result again."""
        names = [v for v, _ in self.dyn_cols] + [v for v, _ in self.static_cols]
        cols = self.dyn_cols + self.static_cols
        lines = [f"{indent}O[i, {j}, r] = v{self.c.slots[name].index}" for name, j in cols]
        if names:
            lines.append(f"{indent}q = q + ({' + '.join(f'v{self.c.slots[v].index}' for v in names)})")
        return lines

    def source(self, method):
        """Two loops, as hand-written C for an ensemble: first each run's initial values,
        then time steps outside and runs inside, each run's state (its parameters, stocks
        and what never changes during a run) kept in a row of ``Z``; so each time's values
        are written to ``O[i]`` run after run, in memory order."""
        c = self.c
        ind = "    "
        b, b1 = ind * 2, ind * 3
        state = _state(c)
        stocks = [s for s in c.stock_slots if s.rate is not None]
        where = {s.name: k for k, s in enumerate(state)}
        scheduled = [c.slots[name].index for name in c.scheduled]
        lines = ["def _run(P, T, dt, t0_, t1_, O, S, sr, m, LX, LY, LS, LN, Z):", f"{ind}n = len(T)",
                 f"{ind}q = 0.0", f"{ind}for r in prange(m):"]
        lines += [f"{b}v{p.index} = P[{j}, r]" for j, p in enumerate(c.param_slots)]
        lines += [f"{b}i = 0", f"{b}t = T[0]"]
        lines += [f"{b}v{k} = S[{j}, i, r * sr]" for j, k in enumerate(scheduled)]
        lines += [self.assign(s, s.expr, b) for s in c.init_order]
        lines += [f"{b}Z[r, {k}] = v{s.index}" for k, s in enumerate(state)]
        lines.append(f"{ind}for i in range(n):")
        lines.append(f"{b}for r in prange(m):")
        lines.append(f"{b1}t = T[i]")  # in the run's body: RK4's stages move it
        lines += [f"{b1}v{s.index} = Z[r, {k}]" for k, s in enumerate(state)]
        lines += [f"{b1}v{k} = S[{j}, i, r * sr]" for j, k in enumerate(scheduled)]
        lines += [self.assign(s, s.expr, b1) for s in c.step_order if not s.static]
        lines += self.record(b1)
        lines += [f"{b1}if i == n - 1:", f"{b1}{ind}continue"]
        lines += self.stock_updates(b1) if method == "euler" else self.rk4_step(b1)
        lines += [f"{b1}Z[r, {where[s.name]}] = v{s.index}" for s in stocks]
        lines.append(f"{ind}return q")
        return "\n".join(lines) + "\n"


    def rk4_start(self, stocks, ind, lines):
        # the stages below overwrite the stock slots, so their values at t are kept in w<j>
        lines += [f"{ind}w{j} = v{s.index}" for j, s in enumerate(stocks)]
        return [f"w{j}" for j in range(len(stocks))]

    def rk4_stage(self, stocks, h, moved, targets, ind):
        """One RK4 stage written out in place of the compiler's call of its ``_rates``
        closure (numba cannot inline a closure of more than 30 arguments: Python then
        passes them as ``*args``): the time and the stocks moved, the step's equations,
        the rates. The stages themselves and their weights are the compiler's
        (:meth:`dpmkit.compiler._Gen.rk4_step`)."""
        lines = [f"{ind}t = T[i] + {h}"]
        lines += [f"{ind}v{s.index} = {m}" for s, m in zip(stocks, moved)]
        lines += [self.assign(s, s.expr, ind) for s in self.c.step_order if not s.static]
        rates = [self.rate(s, ind, lines) for s in stocks]
        lines.append(f"{ind}{', '.join(targets)}, = {', '.join(rates)},")
        return lines


def _state(c):
    """The slots a run keeps from step to step: all but those computed in each step."""
    dyn = {s.name for s in c.step_order if not s.static}
    return [s for s in c.slots.values() if s.name not in dyn and s.name not in c.scheduled]


_SAVED_RE = re.compile(r"w\d+\Z")  # RK4: a stock's value at the start of the step
_EXTRA_NAMES = frozenset({"r", "m", "sr", "q", "LX", "LY", "LS", "LN", "Z", "continue"})
#: What the source may call: exactly the jitted helpers (see _helpers) and range, len, prange.
_CALLABLE = frozenset(_OTHER_IMPL) | {BUILTINS[name].helper for name in _BUILTIN_IMPL} | {"range", "len", "prange"}


def _verify(source):
    """Every token of ``source`` must be in the compiler's token alphabet, and every name a
    keyword the generator writes, a slot (``v12``, ``x0``, ``k2_5``, ``w3`` ...), a fixed name
    of the kernels or the run loop, or a helper this module compiles; so lookups are only
    ever read through ``_lk`` (never ``_L<k>``) and nothing else can be called."""
    residue = _c._TOKEN_RE.sub("", source)
    if residue:
        raise AssertionError(f"generated source has characters outside the whitelisted tokens: {residue[:20]!r}")
    allowed = _CALLABLE | _c._FIXED_NAMES | _c._ALLOWED_KEYWORDS | _EXTRA_NAMES

    for name in set(_c._OTHER_NAMES_RE.findall(source)) - allowed:
        if not name:
            continue
        if keyword.iskeyword(name) or keyword.issoftkeyword(name):
            raise AssertionError(f"generated source uses keyword {name!r}")
        if (_c._SLOT_RE.match(name) is None and _SAVED_RE.match(name) is None) or name.startswith("_L"):
            raise AssertionError(f"generated source uses a name outside the whitelist: {name!r}")


def why_unsupported(source):
    """None, or the builtin (as a learner writes it) that has no compiled twin."""
    names = set(_c._OTHER_NAMES_RE.findall(source))
    for helper in sorted(names & set(_HELPER_TO_BUILTIN)):
        builtin = _HELPER_TO_BUILTIN[helper]
        if builtin not in _BUILTIN_IMPL:
            return builtin
    return None


# ----------------------------------------------------------------- disk cache


def cache_dir():
    """The folder the verified kernels and numba's machine code are kept in: ``numba`` in the
    kit's user cache folder (:func:`dpmkit._files.user_cache_dir`)."""
    return user_cache_dir() / "numba"


def _key(source):
    import numba

    from . import __version__

    parts = (source, numba.__version__, __version__, _MODULE_TEXT_HASH, sys.version, str(PARALLEL))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


_KERNEL_FILE = re.compile(r"k_[0-9a-f]{32}\.py")
_KERNEL_KEY = re.compile(r"k_([0-9a-f]{32})[._]")  # a kernel's file, lock or numba cache file

#: The disk cache keeps the kernels used most recently, at most this many ...
CACHE_MAX_KERNELS = 64
#: ... and at most this many bytes (kernel files and numba's machine code together).
CACHE_MAX_BYTES = 256 * 2**20
#: On Windows a kernel is evicted only once it has not been used for this long. Windows takes
#: the lock too (msvcrt: exclusive only), so this is a safety margin, not the guard: that path
#: has never run in the tests (no Windows machine), and a process loads a kernel within seconds
#: of marking it used.
_WINDOWS_EVICT_GRACE_SECONDS = 3600.0
_PRIVATE = {}  # configured folder -> the folder used instead in this process (see _folder)


def _folder():
    """The folder kernels are written to, compiled from and evicted from: :func:`cache_dir`,
    created private to this user, with numba's ``__pycache__`` in it, when both are this
    user's and not writable by everyone (numba unpickles what it finds there); else, with a
    warning if they are unsafe, a private temporary folder, for this process only."""
    configured = cache_dir()
    used = _PRIVATE.get(configured)
    if used is not None:
        return used
    try:
        configured.mkdir(mode=0o700, parents=True, exist_ok=True)
        (configured / "__pycache__").mkdir(mode=0o700, exist_ok=True)
        if ours_alone(configured) and ours_alone(configured / "__pycache__"):
            return configured
        warnings.warn(f"dpmkit: the compiled-kernel cache {configured} can be written by other users, so "
                      "its machine code is not loaded; this session compiles into a private temporary "
                      "folder instead (make the folder yours alone to keep compiled kernels between sessions)",
                      RuntimeWarning, stacklevel=2)
    except OSError:
        pass  # a read-only home: compile into a scratch folder
    used = _PRIVATE[configured] = Path(tempfile.mkdtemp(prefix="dpmkit-numba-"))
    (used / "__pycache__").mkdir(mode=0o700)
    return used


def _write(source, key):
    """The path of a file holding exactly ``source`` (verified by the caller), and whether
    it was written now (a new kernel) rather than found."""
    folder = _folder()
    name = f"k_{key}.py"
    data = source.encode("ascii")
    path = folder / name
    try:
        if path.exists() and path.read_bytes() == data:
            return path, False
        return atomic_write(folder, name, data, names=_KERNEL_FILE, what="a compiled kernel", temp_prefix=".k_"), True
    except OSError:
        # the folder became read-only: compile into a scratch folder (for this process only)
        folder = _PRIVATE[cache_dir()] = Path(tempfile.mkdtemp(prefix="dpmkit-numba-"))
        return atomic_write(folder, name, data, names=_KERNEL_FILE, what="a compiled kernel", temp_prefix=".k_"), True


@contextmanager
def _in_use(folder, key):
    """Mark the kernel ``key`` used now and hold its lock shared while it is written,
    compiled or loaded: :func:`_evict` (which needs the lock exclusively) leaves it alone.
    The lock file's modification time is the kernel's last use (the kernel file's own
    would change numba's stamp of its source and so void its cache). The lock is the kit's
    one file lock (:func:`dpmkit._files.file_lock`), which opens the lock file again if an
    evicting process removed it meanwhile; on Windows it is exclusive (msvcrt has no shared
    lock), so there two processes loading one kernel take turns."""
    lock = folder / f"k_{key}.lock"
    with ExitStack() as stack:
        try:
            stack.enter_context(file_lock(lock, shared=True))
            os.utime(lock)  # used now (the file at the path is the one held: see file_lock)
        except OSError:
            pass  # a read-only folder: nothing is evicted from it by this process either
        yield


def _evict(folder, keep):
    """Bound the cache: remove the kernels used least recently beyond
    :data:`CACHE_MAX_KERNELS` kernels or :data:`CACHE_MAX_BYTES` bytes, each with its
    numba cache files (``__pycache__/k_<key>.*``) and lock file, never ``keep`` (this
    process's) nor one another process holds (see :func:`_in_use`). Returns the keys
    removed; a failure leaves the rest as it is and never fails a run."""
    removed = []
    try:
        files = {}  # key -> its files
        for where in (folder, folder / "__pycache__"):
            with os.scandir(where) as entries:
                for entry in entries:
                    m = _KERNEL_KEY.match(entry.name)
                    if m and entry.is_file(follow_symlinks=False):
                        files.setdefault(m.group(1), []).append(entry)
        kernels = []
        for key, entries in files.items():
            lock = [e for e in entries if e.name == f"k_{key}.lock"]
            used = max(e.stat().st_mtime for e in (lock or entries))
            kernels.append((used, key, sum(e.stat().st_size for e in entries), bool(lock)))
        kernels.sort(reverse=True)  # the most recently used first
        grace = 0.0 if LOCKING == "flock" else _WINDOWS_EVICT_GRACE_SECONDS
        count = size = 0
        for used, key, nbytes, had_lock in kernels:
            count += 1
            size += nbytes
            if key == keep or (count <= CACHE_MAX_KERNELS and size <= CACHE_MAX_BYTES):
                continue
            if _time.time() - used >= grace and _remove(folder, key, used, had_lock):
                removed.append(key)
    except OSError:
        pass
    return removed


def _remove(folder, key, used, had_lock):
    """Remove one kernel's files, if no other process holds it and none used it since the
    folder was read (``used``, ``had_lock``: its lock file's time then, and whether it had
    one). True if removed."""
    lock = folder / f"k_{key}.lock"
    if not had_lock and lock.exists():
        return False  # used since the folder was read (a user makes the lock file first)
    with file_lock(lock, wait=False) as held:
        if not held:
            return False  # another process is writing, compiling or loading it
        if had_lock and os.stat(lock).st_mtime > used:  # the file held (see file_lock)
            return False  # used again since the folder was read
        with os.scandir(folder / "__pycache__") as entries:
            cached = [entry.path for entry in entries if entry.name.startswith(f"k_{key}.")]
        for path in cached:
            os.unlink(path)
        with suppress(FileNotFoundError):
            os.unlink(folder / f"k_{key}.py")
        os.unlink(lock)  # last, while still held: a process waiting on it then opens a new one
        return True


def _signature():
    from numba import float64, int64

    a1, a2, a3 = float64[::1], float64[:, ::1], float64[:, :, ::1]
    return float64(a2, a1, float64, float64, float64, a3, a3, int64, int64, a2, a2, a2, int64[::1], a2)


def _load(source):
    """Write the verified ``source``, import it from its file and compile it (or load
    numba's cached machine code), holding the kernel in use meanwhile (see _in_use);
    a new kernel then bounds the cache (see _evict). Returns the numba dispatcher."""
    import numba

    _verify(source)
    key = _key(source)
    with _in_use(_folder(), key):
        path, new = _write(source, key)
        name = f"_dpmkit_numba_k_{key}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        module.__dict__.update(_helpers())
        # Run exactly the verified string, not the file read back: the file is there only so that
        # numba can locate its cache by the function's file name (no user text is in that name).
        exec(compile(source, str(path), "exec"), module.__dict__)
        # numba finds the function's globals (and, loading from its cache, rebuilds them) by
        # the module's name, so the module is registered under its fixed, hash-made name
        sys.modules[name] = module
        t0 = _time.perf_counter()
        fn = numba.njit(_signature(), cache=True, error_model="numpy", parallel=PARALLEL)(module._run)
        fn.dpmkit_compile_seconds = _time.perf_counter() - t0
        fn.dpmkit_path = path
        if new:
            _evict(path.parent, keep=key)
    return fn


# ------------------------------------------------------------------- kernels

_KERNELS = weakref.WeakKeyDictionary()  # CompiledModel -> {(method, record): dispatcher}


class Unsupported(ModelError):
    """The model uses a builtin that has no compiled version (yet)."""


def source(compiled, method, record):
    """The verified source of the run loop for ``compiled`` (a CompiledModel).

    Raises :class:`Unsupported` (a ModelError naming the builtin) for a builtin without
    a compiled twin, before the verifier, which would refuse its helper's name.
    """
    with _c._gc_paused():
        text = _Gen(compiled, tuple(record)).source(method)
    missing = why_unsupported(text)
    if missing is not None:
        raise Unsupported(f"backend='numba' cannot compile {missing}: it has no compiled version yet; "
                          "use backend='numpy' (or 'auto', which does so by itself)")
    _verify(text)
    return text


def kernel(compiled, method, record, *, strict=True):
    """The compiled run loop (a numba dispatcher), built on first use.

    Raises ModelError when numba is missing or the model uses a construct without a
    compiled twin (``strict``), else returns None in those cases.
    """
    record = tuple(record)
    per_model = _KERNELS.setdefault(compiled, {})
    fn = per_model.get((method, record))
    if fn is not None:
        return fn
    if not available():
        if not strict:
            return None
        raise ModelError(f"backend='numba' needs numba, which is not installed; install it with: {INSTALL_HINT} "
                         "(or use backend='numpy')")
    try:
        text = source(compiled, method, record)
    except Unsupported:
        if not strict:
            return None
        raise
    fn = _load(text)
    per_model[(method, record)] = fn
    return fn


def is_ready(compiled, method, record):
    """True when this kernel is loaded in this process or its verified file is on disk
    (compiled before, so numba's cache can load it instead of compiling)."""
    record = tuple(record)
    if (method, record) in _KERNELS.get(compiled, {}):
        return True
    try:
        text = source(compiled, method, record)
        return (_folder() / f"k_{_key(text)}.py").exists()
    except (Unsupported, ImportError):
        return False


def _tables(compiled):
    """The lookup tables too long to write out, as padded arrays (x, y, slopes, lengths)."""
    long = [lk for lk in compiled.lookups if len(lk.x) > _c._INLINE_POINTS]
    width = max([len(lk.x) for lk in long] + [1])
    k = max(len(compiled.lookups), 1)
    LX, LY, LS = np.zeros((k, width)), np.zeros((k, width)), np.zeros((k, width))
    LN = np.ones(k, dtype=np.int64)
    for j, lk in enumerate(compiled.lookups):
        if len(lk.x) <= _c._INLINE_POINTS:
            continue
        xs, ys = [float(v) for v in lk.x], [float(v) for v in lk.y]
        LX[j, : len(xs)] = xs
        LY[j, : len(ys)] = ys
        LS[j, : len(xs) - 1] = _c._slopes(xs, ys)
        LN[j] = len(xs)
    return LX, LY, LS, LN


def run(fn, compiled, P, time, dt, start, stop, record, n, S=()):
    """The ensemble's ``(time, variable, run)`` array, as simulate._run_vector gives it, and
    the sum of its values (not finite when a value is not, see _Gen.record)."""
    time = np.ascontiguousarray(time, dtype=float)
    params = np.empty((len(P), n))
    for j, value in enumerate(P):
        params[j] = value
    per_run = any(np.ndim(v) for sched in S for v in sched)
    sched = np.empty((len(S), len(time), n if per_run else 1))
    for j, steps in enumerate(S):
        for i, value in enumerate(steps):
            sched[j, i] = value
    out = np.empty((len(time), len(record), n))
    state = np.empty((n, len(_state(compiled))))
    total = fn(params, time, float(dt), float(start), float(stop), out, sched, 1 if per_run else 0, n,
               *_tables(compiled), state)
    return out, total
