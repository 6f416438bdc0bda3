"""The optional compiled backend of dk.ensemble (numba, the `fast` extra): the same numbers
as the numpy backend on every ready-made model, compiled only from verified source, cached
on disk for the next process, and absent numba handled in plain words."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import dpmkit as dk
from dpmkit.compiler import compile_model

ROOT = Path(__file__).resolve().parents[1]
nk = pytest.importorskip("dpmkit._numba_kernel")
pytest.importorskip("numba", reason="the fast extra (numba) is not installed")


def _samples(model, n, seed=0):
    """Values across each parameter's uncertainty range or bounds (all of them where declared)."""
    rng = np.random.default_rng(seed)
    out = {}
    for p in model.params:
        rng_ = p.uncertainty or p.bounds
        if rng_ is not None:
            out[p.name] = rng.uniform(*rng_, n)
    if not out:
        p = model.params[0]
        out[p.name] = np.full(n, model.values()[p.name])
    return out


def _close(a, b, rtol=1e-12):
    """Equal (NaN where NaN, inf where inf), or within ``rtol`` of the variable's magnitude in
    that run: a flow that is the small difference of two large numbers inherits their last-bit
    rounding (numpy's own vectorised EXP and the C library's differ in the last bit)."""
    assert a.shape == b.shape
    with np.errstate(invalid="ignore"):
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        finite = np.isfinite(a) & np.isfinite(b)
        scale = np.maximum(np.abs(np.where(finite, a, 0)).max(axis=0), np.abs(np.where(finite, b, 0)).max(axis=0))
        diff = finite & (np.abs(a - b) <= rtol * scale)
    bad = ~(same | diff)
    assert not bad.any(), f"{bad.sum()} values differ, e.g. {a[bad][:3]} against {b[bad][:3]}"


@pytest.mark.parametrize("method", ["euler", "rk4"])
@pytest.mark.parametrize("name", dk.models.available())
def test_equals_numpy_backend_on_every_ready_made_model(name, method):
    model = dk.models.load(name)
    s = _samples(model, 25, seed=len(name))
    fast = dk.ensemble(model, samples=s, method=method, backend="numba", allow_out_of_bounds=True)
    slow = dk.ensemble(model, samples=s, method=method, backend="numpy", allow_out_of_bounds=True)
    assert fast.backend == "numba" and slow.backend == "numpy"
    assert fast.names == slow.names and len(fast.names) == len(model.recorded)
    _close(fast.values, slow.values)
    # and a run of the ensemble is the single run with those values
    one = dk.simulate(model, {k: v[3] for k, v in s.items()}, method=method, allow_out_of_bounds=True)
    for k, n_ in enumerate(fast.names):
        np.testing.assert_allclose(fast.values[:, k, 3], one[n_], rtol=1e-9, atol=1e-12)


def test_equals_numpy_on_the_reference_model_with_a_subset_recorded_and_events():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from reference_model import build
    finally:
        sys.path.remove(str(ROOT / "bench"))
    model = build()
    s = _samples(model, 40)
    record = ["morale", "waiting", "wait_time", "quits"]  # not in declaration order
    events = {30: {"target_staff": 45}, 60.5: {"base_referrals": 100}}  # one of them sampled
    kw = dict(samples=s, record=record, events=events, allow_out_of_bounds=True)
    fast, slow = dk.ensemble(model, backend="numba", **kw), dk.ensemble(model, backend="numpy", **kw)
    _close(fast.values, slow.values)
    assert fast["waiting"].shape == (481, 40)
    assert np.ptp(fast["waiting"][-1]) > 0  # the runs really differ


def test_long_lookup_tables_nan_division_by_zero_and_every_builtin():
    """Tables longer than the inline limit are read from arrays; x / 0 gives inf/NaN as numpy
    does; each builtin with a compiled twin gives numpy's value."""
    xs = np.linspace(0, 10, 40)
    model = dk.Model("builtins", [
        dk.Stock("s", 1.0),
        dk.Flow("f", "k * table(s) / 4", into="s"),
        dk.Aux("a1", "MIN(s, k, 3, TIME) + MAX(s, k, 2) + ABS(-s) + EXP(k / 10) + LN(s) + LOG10(s) + SQRT(s)"),
        dk.Aux("a2", "INT(s * 3.3) + ROUND(s) + SIN(s) + COS(s) + TAN(s) + ARCTAN(s) + ARCSIN(k / 10)"
                     " + ARCCOS(k / 10)"),
        dk.Aux("a3", "MODULO(TIME, 0.7) + TIME MOD 3 + STEP(2, 1) + PULSE(1, 1, 2) + RAMP(1, 1, 3) + s ^ 1.5"),
        dk.Aux("a4", "SAFEDIV(s, k - k, 7) + XIDZ(s, 0, 5) + ZIDZ(s, k - 1)"),
        dk.Aux("a5", "IF s > 2 AND k <> 1 OR NOT (s < 1) THEN table(TIME) ELSE table(s * 2)"),
        dk.Aux("a6", "SMTH1(s, 2) + DELAY3(s, 1.5) + INIT(s) + SMTH3(k, 1)"),
        dk.Aux("a7", "s / (k - k)"),  # inf, and NaN where s is 0: the ensemble says so
        dk.Aux("a8", "(k - k) / (k - k)"),
        dk.Param("k", 1.0),
        dk.Lookup("table", xs, np.sin(xs) + xs / 5),
    ], start=0, stop=4, dt=0.125, check_units="off")
    s = {"k": np.array([0.5, 0.9, 1.0, 2.0, 3.0])}
    from dpmkit.simulate import _run_vector

    c = compile_model(model)
    time = model.time
    P = tuple(s["k"] if n == "k" else model.values()[n] for n in c.param_names)
    fn = nk.kernel(c, "euler", model.recorded)
    assert "_lk(" in nk.source(c, "euler", model.recorded)
    fast, total = nk.run(fn, c, P, time, 0.125, 0.0, 4.0, model.recorded, 5)
    assert np.isnan(total)  # the kernel's sum of what it recorded says something is not finite
    with np.errstate(all="ignore"):
        slow = _run_vector(c, "euler", P, time, 0.125, 0.0, 4.0, model.recorded, 5)
    _close(fast, slow)
    k7 = model.recorded.index("a7")
    assert np.isinf(fast[:, k7]).all() and np.isnan(fast[:, model.recorded.index("a8")]).all()
    # the public entry point reports the non-finite value as the numpy backend does
    with pytest.raises(dk.ModelError, match="'a7' became infinite") as e1:
        dk.ensemble(model, samples=s, backend="numba")
    with pytest.raises(dk.ModelError) as e2:
        dk.ensemble(model, samples=s, backend="numpy")
    assert str(e1.value) == str(e2.value)


def test_compiled_only_from_source_that_passed_the_verifier(monkeypatch, tmp_path):
    """What numba compiles is exactly the file written from verified source; a generator gone
    wrong is refused before anything is written, imported or compiled."""
    monkeypatch.setenv("DPMKIT_CACHE_DIR", str(tmp_path))
    verified, written = [], []
    real_verify, real_write = nk._verify, nk._write

    def verify(source):
        real_verify(source)
        verified.append(source)

    def write(source, key):
        assert source in verified
        path, new = real_write(source, key)
        written.append(path.read_text(encoding="ascii"))
        return path, new

    compiled_sources, executed = [], []

    def spy_compile(source, filename, mode):
        compiled_sources.append(source)
        return compile(source, filename, mode)

    def spy_exec(code, namespace):
        executed.append(code)
        return exec(code, namespace)

    monkeypatch.setattr(nk, "_verify", verify)
    monkeypatch.setattr(nk, "_write", write)
    monkeypatch.setattr(nk, "compile", spy_compile, raising=False)
    monkeypatch.setattr(nk, "exec", spy_exec, raising=False)
    model = dk.Model("verify_me", [dk.Stock("s", 1.0), dk.Flow("g", "s * rate", into="s"), dk.Param("rate", 0.1)],
                     check_units="off")
    fn = nk.kernel(compile_model(model), "euler", model.recorded)
    assert written and set(written) <= set(verified)
    # what runs is the verified string itself, compiled once and executed once
    assert compiled_sources == [written[-1]] and len(executed) == 1
    assert executed[0].co_filename == fn.py_func.__code__.co_filename
    assert Path(fn.py_func.__code__.co_filename).read_text(encoding="ascii") == written[-1]
    assert "verify_me" not in written[-1] and "rate" not in written[-1]

    monkeypatch.setattr(nk._Gen, "source", lambda self, method: "def _run():\n    return __import__\n")
    before = (len(written), sorted(p.name for p in (tmp_path / "numba").iterdir()))
    other = dk.Model("fresh_numba_structure", [dk.Stock("s", 2.0), dk.Flow("g", "s * 0.5", into="s")],
                     check_units="off")
    with pytest.raises(AssertionError, match="__import__"):
        nk.kernel(compile_model(other), "euler", other.recorded)
    assert (len(written), sorted(p.name for p in (tmp_path / "numba").iterdir())) == before
    assert len(compiled_sources) == 1 and len(executed) == 1  # nothing more was compiled or run


def test_verifier_refuses_names_outside_the_whitelist():
    nk._verify("def _run(P, T, dt, t0_, t1_, O, S, sr, m, LX, LY, LS, LN, Z):\n    return 0\n")
    for bad in ("v0 = _L0(v1)\n", "v0 = rec(v1)\n", "v0 = os\n", "v0 = v1.real\n", "v0 = 'x'\n", "import os\n"):
        with pytest.raises(AssertionError):
            nk._verify(bad)


def _child(code, cache, extra_env=None):
    env = dict(os.environ, DPMKIT_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))
    env.update(extra_env or {})
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


_CACHE_CHILD = """
import json, numpy as np, dpmkit as dk
from dpmkit import _numba_kernel as nk
from dpmkit.compiler import compile_model
m = dk.models.load("demo")
ens = dk.ensemble(m, n=16, seed=3, backend="numba")
fn = nk.kernel(compile_model(m), m.method, m.recorded)
print(json.dumps({"hits": sum(fn.stats.cache_hits.values()), "misses": sum(fn.stats.cache_misses.values()),
                  "file": str(fn.py_func.__code__.co_filename), "final": float(ens["waiting_list"][-1].sum())}))
"""


def test_the_compiled_code_is_cached_on_disk_and_loaded_by_the_next_process(tmp_path):
    first = _child(_CACHE_CHILD, tmp_path)
    assert first["misses"] == 1 and first["hits"] == 0  # compiled, and saved
    assert Path(first["file"]).parent == tmp_path / "numba"
    assert list((tmp_path / "numba" / "__pycache__").glob("*.nbi"))  # numba's index of saved machine code
    second = _child(_CACHE_CHILD, tmp_path)
    assert second["hits"] == 1 and second["misses"] == 0  # loaded from disk, not compiled
    assert second["file"] == first["file"] and second["final"] == first["final"]


_NO_NUMBA = """
import sys, json
sys.modules["numba"] = None  # as if the fast extra were not installed
import numpy as np, dpmkit as dk
from dpmkit import simulate as _s
import importlib; sim = importlib.import_module("dpmkit.simulate")
sim.AUTO_WARM_RUN_STEPS = sim.AUTO_COLD_RUN_STEPS = 0  # auto would pick numba for any size
sim.AUTO_SINGLE_RUNS = 0  # (not the single runs a few runs get)
m = dk.models.load("demo")
auto = dk.ensemble(m, n=8, seed=1)
numpy_ = dk.ensemble(m, n=8, seed=1, backend="numpy")
try:
    dk.ensemble(m, n=8, seed=1, backend="numba")
    err = None
except dk.ModelError as e:
    err = str(e)
print(json.dumps({"backend": auto.backend, "same": bool(np.array_equal(auto.values, numpy_.values)), "err": err,
                  "numba_loaded": sys.modules["numba"] is not None}))
"""


def test_without_numba_auto_falls_back_to_numpy_and_numba_says_how_to_install(tmp_path):
    out = _child(_NO_NUMBA, tmp_path)
    assert out["backend"] == "numpy" and out["same"] and not out["numba_loaded"]
    assert 'pip install "dpmkit[fast]"' in out["err"] and "backend='numba'" in out["err"]


def test_auto_picks_numba_for_large_ensembles_and_numpy_for_small(monkeypatch, tmp_path):
    import importlib

    sim = importlib.import_module("dpmkit.simulate")  # the module (dk.simulate is the function)
    monkeypatch.setenv("DPMKIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(sim, "AUTO_SINGLE_RUNS", 0)  # a few runs are run one by one (test_simulate.py)
    model = dk.Model("auto_pick", [dk.Stock("s", 1.0), dk.Flow("g", "s * rate", into="s"),
                                   dk.Param("rate", 0.1, uncertainty=(0.05, 0.2))], stop=10, dt=1, check_units="off")
    small = dk.ensemble(model, n=20, seed=0)
    assert small.backend == "numpy"  # 20 x 11 run-steps: compiling would cost more than it saves
    monkeypatch.setattr(sim, "AUTO_COLD_RUN_STEPS", 200)
    monkeypatch.setattr(sim, "AUTO_WARM_RUN_STEPS", 100)
    big = dk.ensemble(model, n=20, seed=0)
    assert big.backend == "numba"
    _close(big.values, small.values)
    monkeypatch.setattr(sim, "AUTO_COLD_RUN_STEPS", 10**9)
    assert dk.ensemble(model, n=20, seed=0).backend == "numba"  # compiled already: warm threshold
    assert dk.ensemble(model, n=5, seed=0).backend == "numpy"  # 55 run-steps, below it


def test_a_builtin_without_a_compiled_twin(monkeypatch):
    """'numba' names it; 'auto' quietly runs numpy; a model without it still compiles."""
    import importlib

    sim = importlib.import_module("dpmkit.simulate")
    monkeypatch.delitem(nk._BUILTIN_IMPL, "SQRT")
    model = dk.Model("uses_sqrt", [dk.Stock("s", 4.0), dk.Flow("g", "SQRT(s) * rate", into="s"),
                                   dk.Param("rate", 0.1, uncertainty=(0.05, 0.2))], stop=5, dt=1, check_units="off")
    with pytest.raises(dk.ModelError, match="cannot compile SQRT"):
        dk.ensemble(model, n=4, seed=0, backend="numba")
    monkeypatch.setattr(sim, "AUTO_COLD_RUN_STEPS", 0)
    monkeypatch.setattr(sim, "AUTO_WARM_RUN_STEPS", 0)
    monkeypatch.setattr(sim, "AUTO_SINGLE_RUNS", 0)
    assert dk.ensemble(model, n=4, seed=0).backend == "numpy"


def test_bad_backend_is_refused():
    with pytest.raises(dk.ModelError, match="backend must be 'auto', 'numpy' or 'numba'"):
        dk.ensemble(dk.models.load("demo"), n=4, backend="cuda")


def _compiled_call(fn, n_args):
    """``fn`` called from numba-compiled code, as a kernel calls it (a numpy ufunc is
    compiled in place there, so calling it from Python would test numpy, not numba)."""
    import numba

    call = {1: lambda x: fn(x), 2: lambda a, b: fn(a, b), 3: lambda a, b, c: fn(a, b, c)}[n_args]
    return numba.njit(error_model="numpy")(call)


def test_helpers_are_the_builtins_own_functions_and_give_their_numbers():
    """What numba compiles for each builtin is dpmkit.builtins' own definition: the scalar
    function a single run calls, or the IEEE function it falls back to; compiled, each gives
    the single run's numbers on ordinary and awkward inputs."""
    import types

    from dpmkit import builtins as B
    from dpmkit.builtins import BUILTINS, OPERATORS

    helpers = nk._helpers()
    assert not [name for name in vars(nk) if name.startswith("_nb_")]  # no twins left in the backend
    for name in ("STEP", "PULSE", "RAMP", "SAFEDIV", "ZIDZ", "ABS"):
        assert helpers[BUILTINS[name].helper].py_func is BUILTINS[name].scalar
    assert helpers["_b_min"].py_func is B._min2 and helpers["_b_max"].py_func is B._max2
    assert helpers["_b_int"].py_func is B.v_int and helpers["_b_round"].py_func is B.v_round
    assert helpers["_b_ln"] is np.log and helpers["_b_exp"] is np.exp  # ufuncs: numba compiles the call in place
    assert helpers["_pow"] is np.float_power and helpers["_div"] is np.divide
    for helper, form in B.COMPILED_FORMS.items():
        fn = helpers[helper]
        assert fn is form if isinstance(form, np.ufunc) else fn.py_func is form, helper
        assert isinstance(form, (np.ufunc, types.FunctionType)), helper

    vals = [-3.5, -1.0, -0.0, 0.0, 0.25, 0.5, 1.0, 2.0, 7.3, np.inf, -np.inf, np.nan]
    for name, b in BUILTINS.items():
        if b.scalar is None or b.time:
            continue
        n_args = 3 if name in ("SAFEDIV", "XIDZ", "ZIDZ") else b.min_args
        fn = _compiled_call(helpers[b.helper], n_args)
        grid = np.array(np.meshgrid(*[vals] * n_args)).reshape(n_args, -1).T
        for args in grid:
            with np.errstate(all="ignore"):
                want = b.scalar(*map(float, args))
            got = fn(*args)
            assert (np.isnan(want) and np.isnan(got)) or got == want, (name, args, got, want)
    for op, helper in (("/", "_div"), ("^", "_pow"), ("MOD", "_mod")):
        fn = _compiled_call(helpers[helper], 2)
        for a in vals:
            for c in vals:
                want, got = OPERATORS[op][0](a, c), fn(a, c)
                assert (np.isnan(want) and np.isnan(got)) or got == want, (op, a, c, got, want)
    for name in ("STEP", "PULSE", "RAMP"):
        b = BUILTINS[name]
        for t in np.arange(0, 6, 0.25):
            args = {"STEP": (2.0, 1.5), "PULSE": (3.0, 1.0, 1.5), "RAMP": (2.0, 1.0, 4.0)}[name]
            assert helpers[b.helper](t, 0.25, *args) == b.scalar(t, 0.25, *args), (name, t)


def test_a_small_ensemble_does_not_even_import_numba(tmp_path):
    code = ("import sys, json, dpmkit as dk\n"
            "ens = dk.ensemble(dk.models.load('demo'), n=50, seed=1)\n"
            "print(json.dumps({'backend': ens.backend, 'numba': 'numba' in sys.modules}))")
    assert _child(code, tmp_path) == {"backend": "numpy", "numba": False}


# ------------------------------------------------------------------ the disk cache


def _tiny(k):
    """A model of its own structure, so its own kernel (the number is in an equation)."""
    return dk.Model(f"tiny_{k}", [dk.Stock("s", 1.0), dk.Flow("g", f"s * {0.01 * (k + 1)} * rate", into="s"),
                                  dk.Param("rate", 1.0, uncertainty=(0.5, 1.5))], stop=3, dt=1, check_units="off")


def _tiny_source(k):
    m = _tiny(k)
    return nk.source(compile_model(m), "euler", m.recorded)


def _kernels(folder):
    return {p.stem[2:] for p in folder.glob("k_*.py")}


def _numba_files(folder, key):
    return sorted(p.suffix for p in (folder / "__pycache__").glob(f"k_{key}.*"))


def _key_of(fn):
    return fn.dpmkit_path.stem[2:]


def test_the_disk_cache_keeps_the_kernels_used_most_recently(monkeypatch, tmp_path):
    """Many distinct kernels in one cache folder: past CACHE_MAX_KERNELS the least recently
    used go, each with numba's files; using a kernel again keeps it; the byte bound too."""
    import time

    monkeypatch.setenv("DPMKIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(nk, "CACHE_MAX_KERNELS", 3)
    folder = tmp_path / "numba"
    sources = [_tiny_source(k) for k in range(6)]
    keys = []
    for src in sources[:3]:
        keys.append(_key_of(nk._load(src)))
        time.sleep(0.05)  # each kernel used at a later time than the one before
    assert _kernels(folder) == set(keys) and len(set(keys)) == 3
    assert all(_numba_files(folder, k) == [".nbc", ".nbi"] for k in keys)
    again = nk._load(sources[0])  # the oldest, used again: numba loads it from disk
    assert sum(again.stats.cache_hits.values()) == 1
    time.sleep(0.05)
    for src in sources[3:5]:
        keys.append(_key_of(nk._load(src)))
        time.sleep(0.05)
    assert _kernels(folder) == {keys[0], keys[3], keys[4]}
    for gone in keys[1:3]:  # the two least recently used, with all their files
        assert _numba_files(folder, gone) == [] and not (folder / f"k_{gone}.lock").exists()
    assert sorted(p.name for p in folder.iterdir() if p.name != "__pycache__") == sorted(
        [f"k_{k}.py" for k in (keys[0], keys[3], keys[4])] + [f"k_{k}.lock" for k in (keys[0], keys[3], keys[4])])
    # what is kept still loads from disk, and runs
    kept = nk._load(sources[3])
    assert sum(kept.stats.cache_hits.values()) == 1
    # the byte bound: one kernel's files are more than this, so only the newest stays
    monkeypatch.setattr(nk, "CACHE_MAX_KERNELS", 100)
    monkeypatch.setattr(nk, "CACHE_MAX_BYTES", 1000)
    newest = _key_of(nk._load(sources[5]))
    assert _kernels(folder) == {newest} and list((folder / "__pycache__").iterdir()) and all(
        p.name.startswith(f"k_{newest}.") for p in (folder / "__pycache__").iterdir())


_HOLD = """
import sys
from pathlib import Path
from dpmkit import _numba_kernel as nk
with nk._in_use(Path(sys.argv[1]), sys.argv[2]):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_eviction_leaves_a_kernel_another_process_is_loading(monkeypatch, tmp_path):
    monkeypatch.setenv("DPMKIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(nk, "CACHE_MAX_KERNELS", 1)
    folder = tmp_path / "numba"
    a = _key_of(nk._load(_tiny_source(10)))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with subprocess.Popen([sys.executable, "-c", _HOLD, str(folder), a], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT) as child:
        try:
            assert child.stdout.readline() == "held\n"  # another process is loading kernel a
            b = _key_of(nk._load(_tiny_source(11)))  # a new kernel: a is over the bound, but held
            assert _kernels(folder) == {a, b} and _numba_files(folder, a) == [".nbc", ".nbi"]
        finally:
            child.stdin.close()
            assert child.wait(timeout=60) == 0
    c = _key_of(nk._load(_tiny_source(12)))  # released: now the bound holds
    assert _kernels(folder) == {c} and _numba_files(folder, a) == [] and _numba_files(folder, b) == []


def test_a_failed_eviction_does_not_fail_the_run(monkeypatch, tmp_path):
    monkeypatch.setenv("DPMKIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(nk, "CACHE_MAX_KERNELS", 1)
    folder = tmp_path / "numba"
    first = _key_of(nk._load(_tiny_source(20)))

    def refuse(path, *a, **kw):
        raise PermissionError(13, "Permission denied", str(path))

    model = _tiny(21)
    with monkeypatch.context() as m:
        m.setattr(os, "unlink", refuse)
        fast = dk.ensemble(model, n=6, seed=2, backend="numba")
    slow = dk.ensemble(model, n=6, seed=2, backend="numpy")
    _close(fast.values, slow.values)
    assert len(_kernels(folder)) == 2 and first in _kernels(folder)  # nothing removed, nothing broken
    nk._load(_tiny_source(22))  # the next new kernel evicts as usual
    assert len(_kernels(folder)) == 1


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("open_to_all", ["numba", "numba/__pycache__"])
def test_a_cache_folder_others_can_write_is_not_used(monkeypatch, tmp_path, open_to_all):
    """numba unpickles what it finds in its cache, so a folder everyone can write is not
    used: this process compiles into a private temporary folder instead, and says so."""
    import stat

    monkeypatch.setenv("DPMKIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(nk, "_PRIVATE", {})
    (tmp_path / "numba" / "__pycache__").mkdir(parents=True)
    (tmp_path / open_to_all).chmod(0o777)
    with pytest.warns(RuntimeWarning, match="can be written by other users"):
        fn = nk._load(_tiny_source(30))
    private = fn.dpmkit_path.parent
    assert private != tmp_path / "numba" and not list((tmp_path / "numba").glob("**/k_*"))
    for folder in (private, private / "__pycache__"):
        st = folder.stat()
        assert stat.S_IMODE(st.st_mode) == 0o700 and st.st_uid == os.getuid()
    assert _numba_files(private, _key_of(fn)) == [".nbc", ".nbi"]  # cached there, for this process
    # made private again, the folder is used (and created private when missing)
    (tmp_path / open_to_all).chmod(0o700)
    monkeypatch.setattr(nk, "_PRIVATE", {})
    assert _key_of(nk._load(_tiny_source(30))) in _kernels(tmp_path / "numba")
    monkeypatch.setenv("DPMKIT_CACHE_DIR", str(tmp_path / "fresh"))
    nk._load(_tiny_source(30))
    assert stat.S_IMODE((tmp_path / "fresh" / "numba").stat().st_mode) == 0o700
