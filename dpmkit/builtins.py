"""The one table of the equation language's builtin functions.

Every part of the kit that knows about builtins reads :data:`BUILTINS`: the parser
(names and numbers of arguments, the signature shown in error messages), the compiler
(the scalar and the numpy-vectorised implementations the generated kernels call, the
builtins that need TIME or create hidden state), the loop analysis's interpreter (the
vector implementations), the units check (each builtin's units rule) and the XMILE
reader and writer (the names read, and how each builtin is written for Stella and
PySD). Adding a builtin means adding one :class:`Builtin` here;
``tests/test_builtins.py`` then checks it in every interpreter over a grid of values
that includes 0, negatives, huge values, infinities and NaN.

Arithmetic follows IEEE 754 as numpy does in every interpreter: an overflow gives
``inf``, ``x / 0`` gives ``±inf``, ``0 / 0``, ``LN(-1)`` and ``SQRT(-1)`` give NaN,
and NaN propagates (also through ``MIN`` and ``MAX``). The scalar implementations use
:mod:`math` on the fast path and fall back to numpy only when :mod:`math` raises, so
single runs stay fast; a run reports a variable only when a recorded value actually
stops being finite (see :func:`dpmkit.simulate`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Builtin", "BUILTINS", "FUNCTIONS", "SIGNATURES", "STATEFUL", "TIME_DEPENDENT", "OPERATORS", "reference"]

_INF = math.inf
_NAN = math.nan


def _np(fn, *args):
    """``fn(*args)`` with numpy's IEEE results and no warnings, as a Python float."""
    with np.errstate(all="ignore"):
        return float(fn(*args))


# ------------------------------------------------ scalar implementations (floats)


def _scalar_math(math_fn, np_fn):
    """A :mod:`math` function that gives numpy's answer where :mod:`math` raises."""

    def f(x):
        try:
            return math_fn(x)
        except (ArithmeticError, ValueError):
            return _np(np_fn, x)

    f.__name__ = f"s_{np_fn.__name__}"
    f.ieee = np_fn  # its IEEE form (see COMPILED_FORMS)
    return f


def _min2(a, b):
    # NaN propagates as in numpy.minimum (Python's min() would drop it)
    return a if a < b else (b if b <= a else a + b)


def _max2(a, b):
    return a if a > b else (b if b >= a else a + b)


def s_min(a, b, *more):
    out = _min2(a, b)
    for c in more:
        out = _min2(out, c)
    return out


def s_max(a, b, *more):
    out = _max2(a, b)
    for c in more:
        out = _max2(out, c)
    return out


def s_abs(x):
    return abs(x)


def s_exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return _INF


def s_int(x):
    try:
        return float(math.floor(x))
    except (OverflowError, ValueError):  # inf and NaN are their own floor
        return float(x)


def s_round(x):
    return s_int(x + 0.5)


def s_div(a, b):
    """``a / b`` as numpy divides: by zero gives ±inf, 0/0 and NaN/0 give NaN."""
    try:
        return a / b
    except ZeroDivisionError:
        return _np(np.divide, float(a), float(b))


def s_pow(x, y):
    """``x ^ y`` as C's pow (IEEE 754's pow), like :func:`v_pow`."""
    if x > 0.0:
        try:
            return math.pow(x, y)
        except OverflowError:
            return _INF
    return _np(np.float_power, float(x), float(y))


def s_mod(a, b):
    try:
        return a % b
    except ZeroDivisionError:
        return _NAN


def s_safediv(a, b, default):
    return a / b if b != 0 else default


#: STEP and PULSE start this fraction of DT early: a time reached by adding DT step by
#: step may fall short of the start time by a rounding error.
_EPS = 1e-6


def s_step(t, dt, height, start):
    return height if t > start - _EPS * dt else 0.0


def s_pulse(t, dt, magnitude, first, interval):
    e = _EPS * dt
    if not t >= first - e:
        return 0.0
    if interval > 0:
        since = (t - first + e) % interval
    else:
        since = t - first + e
    return magnitude / dt if since < dt else 0.0


def s_ramp(t, dt, slope, start, end):
    if t <= start:
        return 0.0
    return slope * ((t if t < end else end) - start)


def s_nn(x):
    """The non-negative guard; NaN stays NaN as with numpy.maximum."""
    return 0.0 if x < 0.0 else x


# ------------------------------------------------ vector implementations (numpy)


def v_min(*args):
    out = args[0]
    for a in args[1:]:
        out = np.minimum(out, a)
    return out


def v_max(*args):
    out = args[0]
    for a in args[1:]:
        out = np.maximum(out, a)
    return out


def v_int(x):
    return np.floor(x)


def v_round(x):
    return np.floor(np.add(x, 0.5))


def v_safediv(a, b, default):
    b = np.asarray(b, dtype=float)
    nz = b != 0
    return np.where(nz, np.divide(a, np.where(nz, b, 1.0)), default)


def v_step(t, dt, height, start):
    return np.where(t > np.subtract(start, _EPS * dt), height, 0.0)


# The vector implementations below do not silence numpy's floating-point errors
# themselves (no np.errstate inside): their callers choose. The ensemble kernel runs
# them under "raise" and trusts that a value stops being finite only where numpy raised
# a flag (see dpmkit.simulate._run_vector_watched); an "ignore" in here would hide an
# overflow from it. Every arithmetic step is a numpy ufunc (which raises the flags), and
# a zero divisor a formula does not choose is replaced (by 1.0) before dividing, so a
# finite result raises no flag.


def v_pulse(t, dt, magnitude, first, interval):
    e = _EPS * dt
    interval = np.asarray(interval, dtype=float)
    since = np.where(interval > 0, np.mod(t - first + e, np.where(interval > 0, interval, 1.0)), t - first + e)
    return np.where((t >= np.subtract(first, e)) & (since < dt), np.divide(magnitude, dt), 0.0)


def v_ramp(t, dt, slope, start, end):
    return np.where(t <= start, 0.0, np.multiply(slope, np.subtract(np.minimum(t, end), start)))


def v_nn(x):
    return np.maximum(x, 0.0)


def v_pow(x, y):
    """``x ^ y`` as C's pow. np.power computes ``x ^ 0.5`` as a square root, which
    makes (-inf) ^ 0.5 NaN instead of inf; that one case is put right here (the
    always-correct np.float_power is 25 times slower for ``x ^ 2``)."""
    out = np.power(x, y)
    if np.ndim(y) == 0:
        if y != 0.5:
            return out
        wrong = np.isneginf(x)
    else:
        wrong = np.isneginf(x) & (y == 0.5)
    return np.where(wrong, np.inf, out)


# ------------------------------------------------------------------ units rules
# Each rule is ``rule(u, owner, name, args) -> units``: ``u`` is the units checker
# (dpmkit.units._Checker: match, times, dimensionless, is_time, time, WILD, UNKNOWN),
# ``args`` the units of the arguments.


def _u_same(u, owner, f, args):
    out = args[0]
    for a in args[1:]:
        out = u.match(owner, out, a, f"the arguments of {f} have different units")
    return out


def _u_first(u, owner, f, args):
    return args[0]


def _u_dimensionless(u, owner, f, args):
    u.dimensionless(owner, args[0], f)
    return {}


def _u_sqrt(u, owner, f, args):
    a = args[0]
    if a in (u.UNKNOWN, u.WILD):
        return a
    return {k: v / 2 for k, v in a.items()}


def _u_modulo(u, owner, f, args):
    return u.match(owner, args[0], args[1], f"{f} needs equal units")


def _u_step(u, owner, f, args):
    u.is_time(owner, args[1], "the start time of STEP is not in time units")
    return args[0]


def _u_pulse(u, owner, f, args):
    for a in args[1:]:
        u.is_time(owner, a, "the times of PULSE are not in time units")
    return u.times(args[0], u.time, -1) if u.time is not u.UNKNOWN else u.UNKNOWN


def _u_ramp(u, owner, f, args):
    for a in args[1:]:
        u.is_time(owner, a, "the times of RAMP are not in time units")
    return u.times(args[0], u.time) if u.time is not u.UNKNOWN else u.UNKNOWN


def _u_delay(u, owner, f, args):
    u.is_time(owner, args[1], f"the delay time of {f} is not in time units")
    init_at = 3 if f == "DELAYN" else 2
    if len(args) > init_at:
        u.match(owner, args[0], args[init_at], f"the initial value of {f} has other units than its input")
    return args[0]


def _u_ratio(u, owner, f, args):
    ratio = u.times(args[0], args[1], -1)
    if len(args) > 2:
        return u.match(owner, ratio, args[2], f"the value-if-zero of {f} has other units than the ratio")
    return ratio


def _u_lookup(u, owner, f, args):  # handled by the checker itself (it needs the table's declaration)
    return u.UNKNOWN


# ------------------------------------------------------------- XMILE writing
# Each writer is ``write(w, f, args, ctx) -> text``: ``w`` is the XMILE writer
# (dpmkit.xmile._Writer: w.w(node, ctx), w.ref(name), w.constant(name)). Forms are
# the plainest that Stella, PySD and dk.xmile.read all read alike.


def _x_plain(w, f, args, ctx):
    return f"{f}({', '.join(w.w(a, 'delimited') for a in args)})"


def _x_nested(w, f, args, ctx):  # PySD reads MIN and MAX with two arguments only
    text = w.w(args[0], "delimited")
    for a in args[1:]:
        text = f"{f}({text}, {w.w(a, 'delimited')})"
    return text


def _x_log10(w, f, args, ctx):  # not in PySD
    text = f"LN({w.w(args[0], 'delimited')}) / LN(10)"
    return text if ctx == "top" else f"({text})"


def _x_round(w, f, args, ctx):  # the kit's ROUND is INT(x + 0.5); ROUND is not standard XMILE
    from .expressions import BinOp, Num

    return f"INT({w.w(BinOp('+', args[0], Num(0.5)), 'delimited')})"


def _x_modulo(w, f, args, ctx):
    from .expressions import BinOp

    return w.w(BinOp("MOD", args[0], args[1]), ctx)


def _x_safediv(w, f, args, ctx):  # XIDZ and ZIDZ are Vensim's names; XMILE has SAFEDIV
    return f"SAFEDIV({', '.join(w.w(a, 'delimited') for a in args)})"


def _x_lookup(w, f, args, ctx):
    return f"{w.ref(args[0].id)}({w.w(args[1], 'delimited')})"


def _x_pulse(w, f, args, ctx):  # PySD needs the first time
    if len(args) == 1:
        return f"PULSE({w.w(args[0], 'delimited')}, {w.constant('STARTTIME')})"
    return _x_plain(w, f, args, ctx)


def _x_stateful(w, f, args, ctx):
    # PySD keeps a smooth's state in the type of its initial value, so an integer
    # literal (SMTH1(x, 2, 0)) truncates the first step: write 0.0. DELAYN's order stays whole.
    texts = []
    for k, a in enumerate(args):
        real = k != 2 or f != "DELAYN"
        w.floats += real
        texts.append(w.w(a, "delimited"))
        w.floats -= real
    return f"{f}({', '.join(texts)})"


# ------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Builtin:
    """One builtin function of the equation language.

    Attributes
    ----------
    name : str
        Upper-case name, as written in equations.
    min_args, max_args : int
    signature : str
        How to call it, shown in error messages.
    description : str
        One line for documentation and messages.
    scalar, vector : callable or None
        Implementations on Python floats (the single-run kernel) and on numpy arrays
        (the ensemble kernel and the loop analysis). Builtins that take TIME are
        called as ``f(t, dt, *args)``. ``None`` for builtins the compiler expands
        (``state``) and for ``LOOKUP``.
    units : callable
        The units rule, ``rule(checker, owner, name, arg_units) -> units``.
    time : bool
        Needs TIME and DT (STEP, PULSE, RAMP): never constant during a run.
    defaults : tuple
        Values of omitted optional arguments, in order: a number, ``"STARTTIME"`` or
        ``"INF"``.
    state : str or None
        ``"smooth"``, ``"delay"`` or ``"init"``: expanded by the compiler into hidden
        stocks and auxiliaries (read by the loop analysis as a link of gain 1, INIT
        as the unperturbed value).
    xmile_names : tuple of str
        Names read from XMILE files.
    xmile_write : callable
        ``write(writer, name, args, ctx) -> text`` for XMILE files.
    domain : tuple of str
        For the agreement test: what each argument may be ("any", "time" for a
        time-like argument, "positive" for a delay time, "order" for DELAYN's order,
        "lookup" for a lookup's name).
    """

    name: str
    min_args: int
    max_args: int
    signature: str
    description: str
    scalar: object = None
    vector: object = None
    units: object = _u_first
    time: bool = False
    defaults: tuple = ()
    state: str | None = None
    xmile_names: tuple = ()
    xmile_write: object = _x_plain
    domain: tuple = field(default=())

    @property
    def helper(self):
        """The fixed name the generated kernels call this builtin by."""
        return "_b_" + self.name.lower()

    @property
    def arity(self):
        return self.min_args, self.max_args


def _unary(name, description, scalar, vector, units=_u_first, **kw):
    return Builtin(name, 1, 1, f"{name}(x)", description, scalar, vector, units, domain=("any",), **kw)


_ANY32 = ("any",) * 32

_TABLE = (
    Builtin("MIN", 2, 32, "MIN(a, b, ...)", "The smallest of its arguments (NaN if any is NaN).",
            s_min, v_min, _u_same, xmile_write=_x_nested, domain=_ANY32),
    Builtin("MAX", 2, 32, "MAX(a, b, ...)", "The largest of its arguments (NaN if any is NaN).",
            s_max, v_max, _u_same, xmile_write=_x_nested, domain=_ANY32),
    _unary("ABS", "The absolute value.", s_abs, np.abs),
    _unary("EXP", "e to the power x.", s_exp, np.exp, _u_dimensionless),
    _unary("LN", "The natural logarithm.", _scalar_math(math.log, np.log), np.log, _u_dimensionless),
    _unary("LOG10", "The logarithm to base 10.", _scalar_math(math.log10, np.log10), np.log10, _u_dimensionless,
           xmile_write=_x_log10),
    _unary("SQRT", "The square root.", _scalar_math(math.sqrt, np.sqrt), np.sqrt, _u_sqrt),
    _unary("INT", "The largest whole number not above x (rounds down).", s_int, v_int),
    _unary("ROUND", "The nearest whole number (halves round up): INT(x + 0.5).", s_round, v_round,
           xmile_write=_x_round),
    _unary("SIN", "The sine (x in radians).", _scalar_math(math.sin, np.sin), np.sin, _u_dimensionless),
    _unary("COS", "The cosine (x in radians).", _scalar_math(math.cos, np.cos), np.cos, _u_dimensionless),
    _unary("TAN", "The tangent (x in radians).", _scalar_math(math.tan, np.tan), np.tan, _u_dimensionless),
    _unary("ARCSIN", "The inverse sine, in radians.", _scalar_math(math.asin, np.arcsin), np.arcsin,
           _u_dimensionless),
    _unary("ARCCOS", "The inverse cosine, in radians.", _scalar_math(math.acos, np.arccos), np.arccos,
           _u_dimensionless),
    _unary("ARCTAN", "The inverse tangent, in radians.", _scalar_math(math.atan, np.arctan), np.arctan,
           _u_dimensionless),
    Builtin("MODULO", 2, 2, "MODULO(a, b)", "The remainder of a / b, with the sign of b (as a MOD b).",
            s_mod, np.mod, _u_modulo, xmile_write=_x_modulo, domain=("any", "any")),
    Builtin("STEP", 2, 2, "STEP(height, start_time)", "0 before start_time, then height.",
            s_step, v_step, _u_step, time=True, domain=("any", "time")),
    Builtin("PULSE", 1, 3, "PULSE(magnitude[, first_time[, interval]])",
            "magnitude / DT for one step at first_time (default STARTTIME), repeated every interval if > 0.",
            s_pulse, v_pulse, _u_pulse, time=True, defaults=("STARTTIME", 0.0), xmile_write=_x_pulse,
            domain=("any", "time", "time")),
    Builtin("RAMP", 2, 3, "RAMP(slope, start_time[, end_time])",
            "0 until start_time, then rising by slope per time unit until end_time.",
            s_ramp, v_ramp, _u_ramp, time=True, defaults=("INF",), domain=("any", "time", "time")),
    Builtin("SMTH1", 2, 3, "SMTH1(input, averaging_time[, initial])",
            "First-order exponential smooth of input.", units=_u_delay, state="smooth",
            xmile_write=_x_stateful, domain=("any", "positive", "any")),
    Builtin("SMTH3", 2, 3, "SMTH3(input, averaging_time[, initial])",
            "Third-order exponential smooth of input.", units=_u_delay, state="smooth",
            xmile_write=_x_stateful, domain=("any", "positive", "any")),
    Builtin("DELAY1", 2, 3, "DELAY1(input, delay_time[, initial])",
            "First-order material delay of input.", units=_u_delay, state="delay",
            xmile_write=_x_stateful, domain=("any", "positive", "any")),
    Builtin("DELAY3", 2, 3, "DELAY3(input, delay_time[, initial])",
            "Third-order material delay of input.", units=_u_delay, state="delay",
            xmile_write=_x_stateful, domain=("any", "positive", "any")),
    Builtin("DELAYN", 3, 4, "DELAYN(input, delay_time, order[, initial])",
            "Material delay of input of the given order (a whole number written as a number).",
            units=_u_delay, state="delay", xmile_write=_x_stateful,
            domain=("any", "positive", "order", "any")),
    Builtin("INIT", 1, 1, "INIT(variable)", "The value its argument had at the start of the run.",
            units=_u_first, state="init", domain=("any",)),
    Builtin("SAFEDIV", 2, 3, "SAFEDIV(numerator, denominator[, value_if_zero])",
            "numerator / denominator, or value_if_zero (default 0) when the denominator is 0.",
            s_safediv, v_safediv, _u_ratio, defaults=(0.0,), domain=("any", "any", "any")),
    Builtin("XIDZ", 3, 3, "XIDZ(numerator, denominator, value_if_zero)",
            "numerator / denominator, or value_if_zero when the denominator is 0 (Vensim's name).",
            s_safediv, v_safediv, _u_ratio, xmile_write=_x_safediv, domain=("any", "any", "any")),
    Builtin("ZIDZ", 2, 2, "ZIDZ(numerator, denominator)",
            "numerator / denominator, or 0 when the denominator is 0 (Vensim's name).",
            s_safediv, v_safediv, _u_ratio, defaults=(0.0,), xmile_write=_x_safediv, domain=("any", "any")),
    Builtin("LOOKUP", 2, 2, "LOOKUP(table_name, input)",
            "The lookup (graphical function) table_name at input; the same as table_name(input).",
            units=_u_lookup, xmile_write=_x_lookup, domain=("lookup", "any")),
)

#: The builtins by name.
BUILTINS = {b.name: b for b in _TABLE}
# the XMILE names default to the kit's own
for _b in _TABLE:
    if not _b.xmile_names:
        object.__setattr__(_b, "xmile_names", (_b.name,))
del _b

#: name -> (fewest arguments, most arguments), for the parser.
FUNCTIONS = {b.name: b.arity for b in _TABLE}
#: name -> how to call it, for error messages.
SIGNATURES = {b.name: b.signature for b in _TABLE}
#: Builtins expanded into hidden state by the compiler.
STATEFUL = frozenset(b.name for b in _TABLE if b.state)
#: Builtins that read TIME (never constant during a run).
TIME_DEPENDENT = frozenset(b.name for b in _TABLE if b.time)
#: XMILE name -> kit builtin.
XMILE_NAMES = {x: b for b in _TABLE for x in b.xmile_names}

#: Operators with an implementation of their own (the rest are plain Python/numpy
#: operators): symbol -> (scalar, vector).
OPERATORS = {"/": (s_div, np.divide), "^": (s_pow, v_pow), "MOD": (s_mod, np.mod)}

# ------------------------------------------------ the forms compiled kernels run

# A scalar implementation that catches what Python's math raises (an overflow, a domain
# error, a zero divisor) to give numpy's IEEE answer instead, and the function that gives
# that answer without raising; MIN and MAX of two numbers, as the compiled kernels fold
# more arguments pair by pair.
_IEEE = {s_exp: np.exp, s_int: v_int, s_round: v_round, s_div: np.divide, s_pow: np.float_power, s_mod: np.mod,
         s_min: _min2, s_max: _max2}

#: The function the optional compiled backend (:mod:`dpmkit._numba_kernel`) has numba
#: compile for each helper the generated kernels call (a builtin's ``helper`` name, and
#: ``_div``, ``_pow`` and ``_mod`` for the operators): the scalar implementation above
#: itself where it is plain arithmetic (numba's nopython mode compiles it as it is), else
#: the IEEE function it falls back to (numpy's, or its two-argument core), which compiled
#: code calls directly because there it never raises. So each builtin is defined once,
#: here; nothing in this module imports numba.
COMPILED_FORMS = {
    **{b.helper: _IEEE.get(b.scalar) or getattr(b.scalar, "ieee", b.scalar) for b in _TABLE if b.scalar is not None},
    "_div": _IEEE[s_div], "_pow": _IEEE[s_pow], "_mod": _IEEE[s_mod],
}


def reference():
    """The builtins as a Markdown table (signature and description), for documentation.

    Examples
    --------
    >>> print(reference().splitlines()[2])
    | `MIN(a, b, ...)` | The smallest of its arguments (NaN if any is NaN). |
    """
    lines = ["| builtin | what it gives |", "|---|---|"]
    lines += [f"| `{b.signature}` | {b.description} |" for b in _TABLE]
    return "\n".join(lines)
