"""Running models: :func:`simulate` for one run, :func:`ensemble` for many at once."""

from __future__ import annotations

import math
import struct
from array import array
from itertools import chain

import numpy as np

from .compiler import compile_model
from .errors import ModelError
from .expressions import suggest
from .results import EnsembleResult, Result
from .spec import Model, _check_time, _steps, _time_setting

__all__ = ["simulate", "ensemble", "sample_params"]

_METHODS = ("euler", "rk4")
_BACKENDS = ("auto", "numpy", "numba")
#: backend="auto" runs an ensemble with numba (when installed) from this many runs x times
#: when its kernel is compiled already (in this process, or on disk from an earlier one)...
AUTO_WARM_RUN_STEPS = 1_000_000
#: ... and from this many when it is not (its first compile costs seconds, once per model
#: structure and machine; see bench/bench_compiled.py and docs/decisions.md).
AUTO_COLD_RUN_STEPS = 10_000_000
#: backend="auto" runs an ensemble of at most this many runs as single runs, one after another
#: (``result.backend`` is then "python"): below about 30 runs the vectorised kernel's cost per
#: step, a numpy call per operation, is more than the runs' own work (Surrey, 3 runs: 78 ms
#: vectorised, 6 ms one by one; the figures by size are in docs/decisions.md, "Small ensembles
#: are single runs", and bench/bench_analysis.py prints lesson 04's compare and calibrations
#: both ways).
AUTO_SINGLE_RUNS = 20
#: Largest result accepted by default, in bytes: times x recorded variables x runs x 8
#: (see ``max_bytes`` of :func:`simulate` and :func:`ensemble`). 2 GiB.
MAX_BYTES = 2 * 1024**3
# Above this many bytes of results a single run records into a compact buffer
# (8 bytes a value) instead of a list of tuples of Python floats (about 40).
_COMPACT_BYTES = 32 * 1024**2


def _gib(nbytes):
    return f"{nbytes / 1024**3:,.1f} GiB" if nbytes >= 0.05 * 1024**3 else f"{nbytes / 1024**2:,.1f} MiB"


def _check_size(model, n_times, n_vars, runs, max_bytes, smaller):
    """Refuse, before anything is allocated, a result larger than ``max_bytes``."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, float, np.integer, np.floating)) or not (
        max_bytes > 0
    ):
        raise ModelError(f"max_bytes must be a positive number of bytes, got {max_bytes!r}")
    nbytes = n_times * n_vars * runs * 8
    if nbytes > max_bytes:
        runs_text = f"{runs:,} runs x " if runs != 1 else ""
        raise ModelError(
            f"model {model.name!r}: this {'ensemble' if runs != 1 else 'run'} would need {_gib(nbytes)} of results "
            f"for {runs_text}{n_vars:,} variables x {n_times:,} times (limit {_gib(max_bytes)}, max_bytes). "
            f"To make it smaller: {smaller}; or raise max_bytes if the machine has the memory."
        )
    return nbytes


def _check_model(model):
    if not isinstance(model, Model):
        raise ModelError(f"expected a dpmkit Model, got {type(model).__name__}")


def _time_grid(model, start, stop, dt):
    start = model.start if start is None else _time_setting(model.name, "start", start)
    stop = model.stop if stop is None else _time_setting(model.name, "stop", stop)
    dt = model.dt if dt is None else _time_setting(model.name, "dt", dt)
    _check_time(model.name, start, stop, dt)
    n = _steps(start, stop, dt)
    return start, stop, dt, start + dt * np.arange(n + 1)


def _method(model, method):
    method = model.method if method is None else method
    if method not in _METHODS:
        raise ModelError(f"method must be 'euler' or 'rk4', got {method!r}")
    return method


def _events(model, events, time, base, allow_out_of_bounds):
    """Turn an event script into per-step parameter schedules.

    Returns ``(names, schedules)``: the parameters that change, and for each a list
    with its value at every step of ``time``.
    """
    if not events:
        return frozenset(), ()
    items = events.items() if hasattr(events, "items") else events
    decl = model.params_by_name
    changes = {}
    tol = 1e-9 * max(1.0, abs(time[-1]))
    try:
        items = [(t, change) for t, change in items]
    except (TypeError, ValueError):
        raise ModelError(
            "events must be a mapping {time: {parameter: value}} or a list of (time, {parameter: value}) pairs"
        ) from None
    for when, change in items:
        if (isinstance(when, bool) or not isinstance(when, (int, float, np.integer, np.floating))
                or not math.isfinite(when)):
            raise ModelError(f"event time {when!r} must be a finite number")
        if not time[0] - tol <= when <= time[-1] + tol:
            raise ModelError(
                f"an event at time {when:g} lies outside the run ({time[0]:g} to {time[-1]:g})", time=float(when)
            )
        if not hasattr(change, "items"):
            raise ModelError(f"the event at time {when:g} must map parameter names to values", time=float(when))
        for name, value in change.items():
            changes.setdefault(name, []).append((float(when), model.param(name).check(value, allow_out_of_bounds)))
    names = tuple(p for p in decl if p in changes)
    schedules = []
    for name in names:
        steps = [base[name]] * len(time)
        for when, value in sorted(changes[name], key=lambda tv: tv[0]):
            first = int(np.searchsorted(time, when - tol))
            steps[first:] = [value] * (len(time) - first)
        schedules.append(steps)
    return frozenset(names), tuple(schedules)


def simulate(
    model, params=None, *, method=None, start=None, stop=None, dt=None, events=None, allow_out_of_bounds=False,
    max_bytes=MAX_BYTES,
):
    """Run a model once.

    Parameters
    ----------
    model : Model
    params : dict, optional
        Parameter values to use instead of the defaults, e.g. ``{"budget": 12}``.
    method : {"euler", "rk4"}, optional
        Integration method; the model's own by default (normally Euler).
    start, stop, dt : float, optional
        Override the model's time settings for this run.
    events : mapping or list, optional
        Parameter changes during the run, e.g. ``{2011: {"coproduction": 1}}`` or
        ``[(2011, {"coproduction": 1}), (2015, {"budget": 12})]``. From the first
        step at or after each time, the parameter takes the new value.
    allow_out_of_bounds : bool
        Accept parameter values outside their declared bounds.
    max_bytes : int
        Refuse (ModelError, before anything is allocated) a run whose results would be
        larger than this: times x stocks, flows and auxiliaries x 8 bytes. The default,
        :data:`MAX_BYTES`, is 2 GiB. A run also has at most 10,000,000 steps.

    Returns
    -------
    Result

    Raises
    ------
    ModelError
        For unknown parameters, values outside bounds, invalid equations, time settings
        that are not finite numbers making a whole number of steps, runs too large for
        ``max_bytes``, and runs in which a variable stops being a finite number (named,
        with the time).

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.models.load("demo")
    >>> result = dk.simulate(model, {"staff_target": 30})
    >>> frame = result.to_frame()
    """
    _check_model(model)
    method = _method(model, method)
    values = model.values(params, allow_out_of_bounds)
    start, stop, dt, time = _time_grid(model, start, stop, dt)
    nbytes = _check_size(model, len(time), len(model.recorded), 1, max_bytes,
                         "fewer steps (a larger dt or a shorter span from start to stop)")
    scheduled, S = _events(model, events, time, values, allow_out_of_bounds)
    compiled = compile_model(model, scheduled)
    P = tuple(values[n] for n in compiled.param_names)
    try:
        data = _run_single(compiled, method, P, time, time.tolist(), dt, start, stop, S, nbytes > _COMPACT_BYTES)
    except (ArithmeticError, ValueError):
        # A safety net: anything else Python's floats raise is located precisely with the
        # vectorised kernel (which turns it into nan/inf) and reported by variable and time.
        out = _run_vector(compiled, method, P, time, dt, start, stop, compiled.recorded, 1, S)
        _raise_non_finite(model, compiled, out, time, None, fallback=True)
        raise
    if not np.isfinite(data).all():
        _raise_non_finite(model, compiled, data[:, :, None], time, None)
    return Result(model, time, compiled.recorded, data, values, method)


def _run_single(compiled, method, P, time, times, dt, start, stop, S, compact=False):
    """One run of the single-run (scalar) kernel: its values (time, variable) in the columns of
    ``compiled.recorded``. ``P`` and ``S`` hold Python floats; ``times`` is ``time`` as a list.
    ``compact``: record into an array of doubles rather than a list of tuples (large runs).
    Python's floats raise where numpy's give inf or NaN: a division by zero is run again with
    IEEE division; anything else raised is the caller's to handle."""
    kernel = compiled.kernel(method, "scalar")
    rows = array("d") if compact else []
    try:
        statics = kernel(P, times, dt, start, stop, rows.extend if compact else rows.append, None, S)
    except ZeroDivisionError:
        # rerun with IEEE division (the builtins already follow numpy), so a single run gives
        # what an ensemble gives
        del rows[:]
        kernel = compiled.kernel(method, "ieee")
        statics = kernel(P, times, dt, start, stop, rows.extend if compact else rows.append, None, S)
    width = len(kernel.record_dyn)
    if not compact and width:
        # one C-level conversion of every float (numpy's np.array(rows) has to discover
        # the shape of a list of tuples first, which takes about twice as long)
        rows = struct.pack(f"{len(rows) * width}d", *chain.from_iterable(rows))
    data = np.frombuffer(rows, dtype=float).reshape(len(time), width) if width else np.empty((len(time), 0))
    names = compiled.recorded
    if compiled.static_recorded:
        full = np.empty((len(time), len(names)))
        pos = {n: k for k, n in enumerate(names)}
        full[:, [pos[n] for n in kernel.record_dyn]] = data
        for n, v in zip(compiled.static_recorded, statics):
            full[:, pos[n]] = v
        data = full
    return data


def _run_singles(compiled, method, P, time, dt, start, stop, record, n, S=()):
    """The runs of a small ensemble as single runs, one after another: the values (time,
    variable, run) in ``record``'s order, or None when a run raised or made a value that is
    not finite (the caller then runs the vectorised kernel, which names it as it always does).
    ``P`` and ``S`` hold a number or an array of ``n`` values each, as the vectorised kernel
    takes them."""
    times = time.tolist()
    compact = len(time) * len(compiled.recorded) * 8 > _COMPACT_BYTES  # as dk.simulate records a large run
    pos = {name: k for k, name in enumerate(compiled.recorded)}
    columns = [pos[name] for name in record]
    out = np.empty((len(time), len(record), n))
    for j in range(n):
        P_j = tuple(float(v[j]) if np.ndim(v) else v for v in P)
        S_j = tuple([float(v[j]) if np.ndim(v) else v for v in sched] for sched in S)
        try:
            data = _run_single(compiled, method, P_j, time, times, dt, start, stop, S_j, compact)
        except (ArithmeticError, ValueError):
            return None
        out[:, :, j] = data[:, columns]
    if not np.isfinite(out).all():
        return None
    return out


def _check_runs(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ModelError(f"n (the number of runs) must be a positive whole number, got {n!r}")
    return int(n)


def _record_list(model, record):
    """The variables an ensemble keeps: all it can record, or those named (checked)."""
    recordable = model.recorded
    if record is None:
        return recordable
    record = [record] if isinstance(record, str) else list(record)
    allowed = set(recordable)
    for name in record:
        if not isinstance(name, str) or name not in allowed:
            raise ModelError(
                f"cannot record {name!r}: it is not a stock, flow or auxiliary of {model.name!r}"
                + (suggest(name, recordable) if isinstance(name, str) else ""),
                variable=name if isinstance(name, str) else None,
            )
    return tuple(dict.fromkeys(record))


def _run_vector(compiled, method, P, time, dt, start, stop, record, n, S=()):
    return _run_vector_total(compiled, method, P, time, dt, start, stop, record, n, S)[0]


def _run_vector_total(compiled, method, P, time, dt, start, stop, record, n, S=()):
    """The recorded values (time, variable, run) and their sum: a sum that is not
    finite says some value may not be (the kernel sums each time's row while it is
    still in the cache, which is cheaper than a second pass over the whole output)."""
    kernel = compiled.kernel(method, "vector", tuple(record))
    out = _Output(kernel, time, record, n)
    with np.errstate(all="ignore"):
        statics, total = kernel(P, time.tolist(), dt, start, stop, None, out.target, S)
        total = total + out.fill(compiled, statics, total=True)
    return out.values(), total


class _Output:
    """The array a vector kernel writes into, (time, variable, run) in ``record``'s order.

    The kernel writes only the dynamic recorded columns (``target``): the static ones are
    filled afterwards (:meth:`fill`), so the checked kernel's sum of each row never reads
    them before (np.empty: anything)."""

    def __init__(self, kernel, time, record, n):
        self.out = np.empty((len(time), len(record), n))
        self.pos = {name: k for k, name in enumerate(record)}
        self.dyn_cols = [self.pos[name] for name in kernel.record_dyn]
        dyn = len(self.dyn_cols)
        self.contiguous = self.dyn_cols == list(range(dyn))
        self.target = self.out[:, :dyn, :] if self.contiguous else np.empty((len(time), dyn, n))

    def fill(self, compiled, statics, total=False):
        """Write the static recorded values; with ``total``, return their sum."""
        sum_ = 0.0
        for name, value in zip(compiled.static_recorded, statics):
            if name in self.pos:
                self.out[:, self.pos[name], :] = value
                if total:
                    sum_ = sum_ + np.add.reduce(value, axis=None)
        return sum_

    def values(self):
        if not self.contiguous:
            self.out[:, self.dyn_cols, :] = self.target
        return self.out


#: The floating-point errors the "watched" ensemble kernel stops at. An underflow gives a
#: finite number (0 or a tiny one), so it is not one of them.
_WATCH = dict(over="raise", divide="raise", invalid="raise", under="ignore")


def _run_vector_watched(compiled, method, P, time, dt, start, stop, record, n, S=()):
    """As :func:`_run_vector_total`, faster when nothing goes wrong: the kernel without the
    sum of each recorded row, run under ``np.errstate`` "raise" (:data:`_WATCH`).

    A value can stop being finite only by an operation that raises an IEEE flag
    (overflow, division by zero, invalid) or from a value that is already not finite.
    Every input is finite (parameters, samples, schedules, tables, times and the numbers
    in equations are refused otherwise); in this kernel every arithmetic operation is
    numpy's (see ``compiler._python_float``), the builtins silence no error
    (``dpmkit.builtins``), and the operations that raise no flag (``np.where``, ``take``,
    ``np.interp``, comparisons, copies) only choose, gather or read tables between finite
    values; lookups whose tables could overflow are run checked (``lookups_bounded``). So
    when no flag was raised, every value is finite and the total is 0.0.

    When one was raised, the checked kernel runs it again (its values are the same to the
    bit; it finds and names the value that is not finite, if one is). A flag that turns
    out not to matter (a division by zero in a branch of IF THEN ELSE not taken, say)
    marks the kernel ``noisy``: later ensembles of that model go straight to the checked
    kernel rather than pay twice every time.
    """
    kernel = compiled.kernel(method, "watched", tuple(record)) if compiled.lookups_bounded else None
    if kernel is None or kernel.noisy:
        return _run_vector_total(compiled, method, P, time, dt, start, stop, record, n, S)
    out = _Output(kernel, time, record, n)
    try:
        with np.errstate(**_WATCH):
            statics = kernel(P, time.tolist(), dt, start, stop, None, out.target, S)
    except FloatingPointError:
        del out
        values, total = _run_vector_total(compiled, method, P, time, dt, start, stop, record, n, S)
        if np.isfinite(total):
            kernel.noisy = True
        return values, total
    out.fill(compiled, statics)
    return out.values(), 0.0


def _raise_non_finite(model, compiled, values, time, runs, fallback=False):
    """Raise a ModelError naming the first variable that stopped being finite, and when.

    ``model`` is the model that was run: ``compiled`` is shared by every model of the
    same structure, so names and equations are taken from ``model``.

    ``values`` has shape (time, variable, run) with the columns of ``compiled.recorded``.
    """
    bad = ~np.isfinite(values)
    if not bad.any():
        if fallback:
            raise ModelError(
                f"model {model.name!r}: a calculation failed (division by zero, a number too large, "
                "or LN/SQRT of a negative number) but the vectorised rerun could not locate it"
            )
        return
    t_idx = int(np.argmax(bad.any(axis=(1, 2))))
    at_t = bad[t_idx].any(axis=1)
    # earliest in evaluation order: stocks, then auxiliaries and flows in step order
    order = [s.name for s in compiled.stock_slots] + [s.name for s in compiled.step_order]
    rank = {n: k for k, n in enumerate(order)}
    record = compiled.recorded
    candidates = [record[k] for k in np.flatnonzero(at_t)]
    name = min(candidates, key=lambda n: rank.get(n, len(rank)))
    k = record.index(name)
    run = int(np.argmax(bad[t_idx, k]))
    value = values[t_idx, k, run]
    decl = model[name]
    eq = getattr(decl, "equation", getattr(decl, "initial", None))
    what = "infinite" if np.isinf(value) else "not a number (NaN)"
    t = float(time[t_idx])
    run_text = "" if runs is None else f" in {runs(run)}"
    raise ModelError(
        f"{name!r} became {what} at TIME = {t:g}{run_text} of model {model.name!r}. Its equation is: {eq}. "
        "Look for a division by zero (SAFEDIV, XIDZ or ZIDZ divide safely), LN or SQRT of a "
        "negative number, or growth without limit (try a smaller dt or check the loop's strength).",
        variable=name,
        time=t,
    )


def sample_params(model, n, vary=None, sampling="lhs", seed=None):
    """Draw ``n`` parameter sets for an ensemble.

    Each parameter in ``vary`` is sampled within its declared uncertainty range, or
    its bounds if it has no uncertainty range.

    Parameters
    ----------
    model : Model
    n : int
    vary : list of str, optional
        Parameters to sample; default: those with an uncertainty range.
    sampling : {"lhs", "sobol", "random"}
        Latin hypercube, scrambled Sobol (``n`` a power of two) or plain random.
    seed : int, optional
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same sample.

    Returns
    -------
    dict of name -> ndarray of length n
    """
    _check_model(model)
    n = _check_runs(n)
    decl = model.params_by_name
    if vary is None:
        vary = [p.name for p in model.uncertainties]
        if not vary:
            raise ModelError(
                f"model {model.name!r} declares no uncertainty ranges; say which parameters to vary, "
                f"e.g. vary=[{', '.join(repr(p) for p in list(decl)[:2])}]"
            )
    vary = [vary] if isinstance(vary, str) else list(vary)
    if n * max(1, len(vary)) * 8 > MAX_BYTES:
        raise ModelError(
            f"{n:,} samples of {len(vary)} parameters would need {_gib(n * len(vary) * 8)} "
            f"(limit {_gib(MAX_BYTES)}); draw fewer runs"
        )
    ranges = []
    for name in vary:
        p = model.param(name)  # raises, naming the variable, for anything else
        rng_ = p.uncertainty or p.bounds
        if rng_ is None:
            raise ModelError(
                f"parameter {name!r} has neither bounds nor an uncertainty range, so it cannot be sampled",
                variable=name,
            )
        ranges.append(rng_)
    if len(set(vary)) != len(vary):
        raise ModelError("vary names a parameter twice")
    rng = np.random.default_rng(seed)
    d = len(vary)
    if sampling == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=d, rng=rng).random(n)
    elif sampling == "sobol":
        from scipy.stats import qmc

        m = round(math.log2(n))
        if 2**m != n:
            raise ModelError(f"Sobol sampling needs n to be a power of two (e.g. {2**m} or {2**(m + 1)}), got {n}")
        unit = qmc.Sobol(d=d, scramble=True, rng=rng).random_base2(m)
    elif sampling == "random":
        unit = rng.random((n, d))
    else:
        raise ModelError(f"sampling must be 'lhs', 'sobol' or 'random', got {sampling!r}")
    return {name: lo + unit[:, j] * (hi - lo) for j, (name, (lo, hi)) in enumerate(zip(vary, ranges))}


def ensemble(
    model,
    samples=None,
    *,
    n=None,
    vary=None,
    sampling="lhs",
    seed=None,
    params=None,
    method=None,
    start=None,
    stop=None,
    dt=None,
    events=None,
    record=None,
    allow_out_of_bounds=False,
    max_bytes=MAX_BYTES,
    backend="auto",
    _part_of=None,
):
    """Run a model many times at once, vectorised over runs.

    Either pass ``samples`` (explicit values: ``{"param": array, ...}``, all of one
    length) or ``n`` (and optionally ``vary``, ``sampling``, ``seed``) to draw them
    from the declared ranges with :func:`sample_params`.

    Parameters
    ----------
    model : Model
    samples : dict of name -> array, optional
    n : int, optional
    vary, sampling, seed
        See :func:`sample_params`.
    params : dict, optional
        Values for parameters that are not sampled (held fixed in every run).
    method, start, stop, dt, events, allow_out_of_bounds
        As in :func:`simulate`. Events apply to every run; a sampled parameter that an
        event changes takes the sampled value until the event.
    record : list of str, optional
        Variables to keep full trajectories of (default: all stocks, flows, auxiliaries).
        Recording fewer saves memory for very large ensembles.
    max_bytes : int
        Refuse (ModelError, before sampling or allocating anything) ensembles whose
        results would be larger than this: times x recorded variables x runs x 8
        bytes. The default, :data:`MAX_BYTES`, is 2 GiB; record fewer variables, run
        fewer runs or use a larger dt to stay below it.
    backend : {"auto", "numpy", "numba"}
        How the runs are computed; every backend gives the same numbers to the last bits
        (numpy's EXP, say, may round its last bit otherwise than Python's, and a small
        difference of two such values shows it more: 7e-12 relative in ``three_objectives``).
        ``"numpy"``: vectorised over runs with numpy, always available. ``"numba"``: the
        model's single-run code looped over runs and compiled to machine code with numba,
        about twice as fast on a large ensemble; needs the ``fast`` extra (``pip install
        "dpmkit[fast]"``; a ModelError says so when it is missing). Its first compile for a
        model's structure takes seconds; it is kept on disk (in ``$DPMKIT_CACHE_DIR``, or the
        user's cache folder under ``dpmkit``), so later runs and later sessions load it
        in well under a second. ``"auto"`` (default) uses numba when it is installed
        and the ensemble is large (at least :data:`AUTO_WARM_RUN_STEPS` runs x times
        when the compiled code is at hand, :data:`AUTO_COLD_RUN_STEPS` when it must
        first be compiled), and numpy otherwise; an ensemble of at most
        :data:`AUTO_SINGLE_RUNS` runs (20) is run as single runs, one after another, which is
        faster for so few (``"python"``: each run then equals :func:`simulate`'s to the bit).
        ``result.backend`` says which ran.
    _part_of : int, optional
        (For the kit's own analyses.) The runs of the whole job this ensemble is a part of,
        when a job runs its runs in parts (``dk.uncertainty``, to report progress):
        ``backend="auto"`` then chooses for the whole job, so every part runs the same way.

    Returns
    -------
    EnsembleResult

    Examples
    --------
    >>> import dpmkit as dk
    >>> ens = dk.ensemble(dk.models.load("demo"), n=200, seed=1)
    >>> ens["waiting_list"].shape[1]
    200
    """
    _check_model(model)
    _check_backend(backend)
    method = _method(model, method)
    decl = model.params_by_name
    start, stop, dt, time = _time_grid(model, start, stop, dt)
    record = _record_list(model, record)
    smaller = ("fewer runs, fewer recorded variables (record=[...]), or fewer steps "
               "(a larger dt or a shorter span from start to stop)")
    if samples is None:
        if n is None:
            raise ModelError("give either samples={'param': array, ...} or n=number of runs")
        if vary is not None or model.uncertainties:  # otherwise sample_params explains what is missing
            _check_size(model, len(time), len(record), _check_runs(n), max_bytes, smaller)
        samples = sample_params(model, n, vary=vary, sampling=sampling, seed=seed)
    elif n is not None or vary is not None:
        raise ModelError("give either samples or n/vary, not both")
    if not hasattr(samples, "items") or not samples:
        raise ModelError("samples must be a non-empty mapping of parameter names to arrays")
    arrays = {}
    size = None
    for name, arr in samples.items():
        model.param(name)  # raises, naming the variable, for anything but a parameter
        try:
            a = np.asarray(arr, dtype=float)
        except OverflowError:  # a whole number too large for a float
            raise ModelError(f"samples of {name!r} must be finite numbers", variable=name) from None
        except (TypeError, ValueError):
            raise ModelError(f"samples of {name!r} must be numbers", variable=name) from None
        if a.ndim != 1 or len(a) == 0:
            raise ModelError(f"samples of {name!r} must be a non-empty 1-D array, got shape {a.shape}", variable=name)
        if size is None:
            size = len(a)
        elif len(a) != size:
            raise ModelError(
                f"samples of {name!r} have {len(a)} values but the others have {size}; all must have the same length",
                variable=name,
            )
        bad = np.flatnonzero(~np.isfinite(a))
        if bad.size:
            raise ModelError(f"sample {bad[0]} of {name!r} is {a[bad[0]]}, not a finite number", variable=name)
        p = decl[name]
        if p.bounds is not None and not allow_out_of_bounds:
            lo, hi = p.bounds
            out = np.flatnonzero((a < lo) | (a > hi))
            if out.size:
                raise ModelError(
                    f"sample {out[0]} of {name!r} is {a[out[0]]:g}, outside its bounds {lo:g} to {hi:g} "
                    f"({out.size} of {size} samples are outside); pass allow_out_of_bounds=True to allow it",
                    variable=name,
                )
        arrays[name] = a
    fixed = model.values(params, allow_out_of_bounds)
    overlap = set(arrays) & set(params or {})
    if overlap:
        raise ModelError(f"{sorted(overlap)[0]!r} is both sampled and fixed in params; choose one")
    for name in arrays:
        fixed.pop(name)
    _check_size(model, len(time), len(record), size, max_bytes, smaller)
    base = dict(fixed)
    base.update(arrays)
    scheduled, S = _events(model, events, time, base, allow_out_of_bounds)
    compiled = compile_model(model, scheduled)
    P = tuple(arrays[n_] if n_ in arrays else fixed[n_] for n_ in compiled.param_names)
    values, fast = None, None
    planned = size if _part_of is None else max(size, int(_part_of))
    if backend == "auto" and planned <= AUTO_SINGLE_RUNS:
        values, total = _run_singles(compiled, method, P, time, dt, start, stop, record, size, S), 0.0
    if values is None:
        fast = _numba_kernel(backend, compiled, method, record, planned * len(time))
        if fast is None:
            values, total = _run_vector_watched(compiled, method, P, time, dt, start, stop, record, size, S)
        else:
            from ._numba_kernel import run

            values, total = run(fast, compiled, P, time, dt, start, stop, record, size, S)  # the kernel sums them
        backend_used = "numpy" if fast is None else "numba"
    else:
        backend_used = "python"
    if not np.isfinite(total):
        sub, runs = values, np.arange(size)
        if len(record) != len(compiled.recorded):
            # Rerun recording everything, but only the runs that went wrong (as many of
            # them as fit in max_bytes), to name the first variable that did.
            runs = np.flatnonzero(~np.isfinite(values).all(axis=(0, 1)))
            runs = runs[: max(1, int(max_bytes // (len(time) * len(compiled.recorded) * 8)))]
            P_bad = tuple(v[runs] if np.ndim(v) else v for v in P)
            S_bad = tuple([v[runs] if np.ndim(v) else v for v in sched] for sched in S)
            sub = _run_vector(compiled, method, P_bad, time, dt, start, stop, compiled.recorded, len(runs), S_bad)

        def describe(run):
            return f"run {runs[run]} (" + ", ".join(f"{k}={v[runs[run]]:g}" for k, v in arrays.items()) + ")"

        _raise_non_finite(model, compiled, sub, time, describe)
    result = EnsembleResult(model, time, tuple(record), values, arrays, fixed, method)
    result.backend = backend_used
    return result


def _check_backend(backend):
    if not isinstance(backend, str) or backend not in _BACKENDS:
        raise ModelError(f"backend must be 'auto', 'numpy' or 'numba', got {backend!r}")


def _numba_kernel(backend, compiled, method, record, run_steps):
    """The compiled kernel the ensemble runs with, or None for numpy's (see ``backend``)."""
    if backend == "numpy" or (backend == "auto" and run_steps < AUTO_WARM_RUN_STEPS):
        return None
    from . import _numba_kernel as nk  # numba itself is imported only now

    if backend == "numba":
        return nk.kernel(compiled, method, record)
    if not nk.available():
        return None
    if run_steps < AUTO_COLD_RUN_STEPS and not nk.is_ready(compiled, method, record):
        return None
    return nk.kernel(compiled, method, record, strict=False)
