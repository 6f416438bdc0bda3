"""Compile a :class:`~dpmkit.Model` into fast kernels.

Steps: parse every equation (whitelisted parser), resolve names, expand the stateful
builtins (SMTH, DELAY, INIT) into hidden stocks and auxiliaries, order the
auxiliaries and flows so each is computed after what it needs (a cycle without a
stock is an error naming the cycle), find what never changes during a run (hoisted
out of the time loop), and generate one Python function per integration method and
mode (scalar for single runs, numpy-vectorised over an ensemble axis).

Why generated source is safe: the generated text is assembled only from fixed
templates, slot names of the form ``v<number>``, helper names from the fixed table
:data:`_HELPER_NAMES`, and numbers written with ``repr(float)``. No name, string or
other text from an equation is ever copied into it, and :func:`_verify_source` checks
every token of the generated source against that whitelist before it is compiled.
"""

from __future__ import annotations

import gc
import keyword
import math
import re
import warnings
from bisect import bisect_right
from collections import OrderedDict
from contextlib import contextmanager
from functools import cached_property

import numpy as np

from .builtins import BUILTINS, OPERATORS, STATEFUL, TIME_DEPENDENT, s_nn, v_nn
from .errors import ModelError, UnitsWarning
from .expressions import (
    CONSTANTS,
    SIGNATURES,
    BinOp,
    Call,
    If,
    Name,
    Num,
    UnaryOp,
    names_in,
    suggest,
)
from .spec import Aux, Flow, Lookup, Param, Stock

__all__ = ["compile_model", "dependency_map", "CompiledModel"]

_TIME_FUNCS = TIME_DEPENDENT
_STATEFUL = STATEFUL
_MAX_DELAY_ORDER = 100
#: Longest sum of flows written as one expression; longer net rates (a stock with
#: hundreds of flows) are accumulated in statements of this many terms, left to right.
_SUM_CHUNK = 32


class _Slot:
    """One internal variable: a parameter, stock, auxiliary, flow, or a hidden helper."""

    __slots__ = ("decl", "expr", "hidden", "index", "kind", "name", "non_negative", "origin", "rate", "static")

    def __init__(self, name, kind, expr=None, *, hidden=False, origin=None, non_negative=False, decl=None):
        self.name = name
        self.kind = kind  # "param", "stock", "aux", "init"
        self.expr = expr  # equation (aux/flow/init) or initial value (stock)
        self.rate = None  # net rate of a stock
        self.hidden = hidden
        self.origin = origin or name
        self.non_negative = non_negative
        self.index = -1
        self.decl = decl
        self.static = kind in ("param", "init")


class _Sum:
    """The net rate of a declared stock: its inflows minus its outflows, in order.

    Kept flat (not as a tree of ``+`` and ``-``) so that a stock with thousands of
    flows neither recurses deeply while compiling nor nests parentheses in the
    generated source. It holds the model's own (indexed) tuples of flows rather than
    a list of its own: one object per stock, not one per flow, for Python's
    garbage collector to walk after compiling a large model.
    """

    __slots__ = ("inflows", "outflows")

    def __init__(self, inflows, outflows):
        self.inflows = inflows  # tuples of Flow declarations, in declaration order
        self.outflows = outflows

    @property
    def terms(self):
        """(sign, flow name) in order: the inflows (+1), then the outflows (-1)."""
        return [(1, f.name) for f in self.inflows] + [(-1, f.name) for f in self.outflows]


# ---------------------------------------------------------------- resolution


class _Builder:
    """Turns declarations into slots, resolving names and expanding stateful builtins."""

    def __init__(self, model):
        self.model = model
        self.decls = model._index()[0]  # name -> declaration: the model's own index, only read here
        self.lookups = {lk.name: lk for lk in model.lookups}
        self.slots = {}
        self.counter = 0

    def add(self, slot):
        self.slots[slot.name] = slot
        return slot

    def hidden_name(self, func):
        self.counter += 1
        return f"_{func.lower()}_{self.counter}"

    def build(self):
        model = self.model
        for p in model.params:
            self.add(_Slot(p.name, "param", decl=p))
        for s in model.stocks:
            self.add(_Slot(s.name, "stock", None, non_negative=s.non_negative, decl=s))
        for v in model.variables:
            if isinstance(v, (Aux, Flow)):
                self.add(_Slot(v.name, "aux", None, non_negative=getattr(v, "non_negative", False), decl=v))
        # resolve equations (may add hidden slots)
        for v in model.variables:
            if isinstance(v, (Stock, Aux, Flow)):  # a stock's tree is its initial value
                self.slots[v.name].expr = self.resolve(model._tree(v), v.name)
        for s in model.stocks:
            inflows, outflows = model.inflows(s.name), model.outflows(s.name)
            self.slots[s.name].rate = _Sum(inflows, outflows) if inflows or outflows else None
        return self.slots

    def resolve(self, node, owner):
        """Check names and functions in ``node`` and expand stateful builtins."""
        if isinstance(node, Num):
            return node
        if isinstance(node, Name):
            if node.id in CONSTANTS:
                return node
            decl = self.decls.get(node.id)
            if decl is None:
                raise ModelError(
                    f"in the equation of {owner!r}, at position {node.pos}: unknown name {node.id!r}"
                    + suggest(node.id, [n for n in self.decls if n != owner]),
                    variable=owner, position=node.pos,
                )
            if isinstance(decl, Lookup):
                raise ModelError(
                    f"in the equation of {owner!r}, at position {node.pos}: {node.id!r} is a lookup; "
                    f"call it with an input, e.g. {node.id}(x)",
                    variable=owner, position=node.pos,
                )
            return node
        # a tree that needs no change is kept, not copied (fewer objects for a large model)
        if isinstance(node, BinOp):
            left, right = self.resolve(node.left, owner), self.resolve(node.right, owner)
            if left is node.left and right is node.right:
                return node
            return BinOp(node.op, left, right, node.pos)
        if isinstance(node, UnaryOp):
            operand = self.resolve(node.operand, owner)
            return node if operand is node.operand else UnaryOp(node.op, operand, node.pos)
        if isinstance(node, If):
            parts = (self.resolve(node.cond, owner), self.resolve(node.then, owner), self.resolve(node.orelse, owner))
            if parts[0] is node.cond and parts[1] is node.then and parts[2] is node.orelse:
                return node
            return If(*parts, node.pos)
        if isinstance(node, Call):
            if not node.builtin or node.func == "LOOKUP":
                if node.builtin:  # LOOKUP(table, x)
                    table, arg = node.args[0].id, node.args[1]
                else:
                    table, arg = node.func, node.args[0]
                decl = self.decls.get(table)
                if not isinstance(decl, Lookup):
                    what = f"a {decl.kind}, not a lookup" if decl is not None else "not a lookup or function" + suggest(
                        table, list(self.lookups) or list(SIGNATURES))
                    raise ModelError(
                        f"in the equation of {owner!r}, at position {node.pos}: {table!r} is {what}",
                        variable=owner, position=node.pos,
                    )
                return Call(table, (self.resolve(arg, owner),), node.pos, False)
            args = tuple(self.resolve(a, owner) for a in node.args)
            if node.func in _STATEFUL:
                return self.expand(node.func, args, owner, node.pos)
            if all(a is b for a, b in zip(args, node.args)):
                return node
            return Call(node.func, args, node.pos, True)
        raise ModelError(f"in the equation of {owner!r}: unsupported syntax", variable=owner)

    def aux(self, func, expr, owner, role):
        name = self.hidden_name(func) + "_" + role
        return self.add(_Slot(name, "aux", expr, hidden=True, origin=f"{func} in {owner!r}")).name

    def stock(self, func, initial, owner, k):
        name = self.hidden_name(func) + f"_stage{k}"
        return self.add(_Slot(name, "stock", initial, hidden=True, origin=f"{func} in {owner!r}"))

    def expand(self, func, args, owner, pos):
        origin = f"{func} in {owner!r}"
        if func == "INIT":
            name = self.hidden_name("init")
            self.add(_Slot(name, "init", args[0], hidden=True, origin=origin))
            return Name(name)
        inp = self.aux(func, args[0], owner, "input")
        if func in ("SMTH1", "SMTH3"):
            order = 1 if func == "SMTH1" else 3
            delay = args[1] if order == 1 else BinOp("/", args[1], Num(float(order)))
            tau = self.aux(func, delay, owner, "time")
            init = args[2] if len(args) > 2 else Name(inp)
            prev = Name(inp)
            for k in range(1, order + 1):
                s = self.stock(func, init, owner, k)
                s.rate = BinOp("/", BinOp("-", prev, Name(s.name)), Name(tau))
                prev = Name(s.name)
            return prev
        # material delays: DELAY1, DELAY3, DELAYN
        if func == "DELAYN":
            order_node = args[2]
            if not isinstance(order_node, Num) or order_node.value != int(order_node.value) or not (
                1 <= order_node.value <= _MAX_DELAY_ORDER
            ):
                raise ModelError(
                    f"in the equation of {owner!r}, at position {pos}: the order of DELAYN must be a whole "
                    f"number from 1 to {_MAX_DELAY_ORDER} written as a number",
                    variable=owner, position=pos,
                )
            order = int(order_node.value)
            init_arg = args[3] if len(args) > 3 else None
        else:
            order = 1 if func == "DELAY1" else 3
            init_arg = args[2] if len(args) > 2 else None
        delay = args[1] if order == 1 else BinOp("/", args[1], Num(float(order)))
        tau = self.aux(func, delay, owner, "time")
        init = init_arg if init_arg is not None else Name(inp)
        prev_out = Name(inp)
        for k in range(1, order + 1):
            s = self.stock(func, BinOp("*", init, Name(tau)), owner, k)
            out = self.aux(func, BinOp("/", Name(s.name), Name(tau)), owner, f"out{k}")
            s.rate = BinOp("-", prev_out, Name(out))
            prev_out = Name(out)
        return prev_out


# ------------------------------------------------------------------ ordering


def _toposort(nodes, deps, what, describe=str):
    """Order ``nodes`` so each comes after its dependencies; report a cycle if any.

    ``deps[n]`` is the set of names that ``n`` needs; those that are not among
    ``nodes`` are ignored (so callers need not build a filtered set per node).
    Declaration order is kept wherever the dependencies allow it.
    """
    position = {n: i for i, n in enumerate(nodes)}
    get = position.get
    if all(get(d, -1) < position[n] for n in nodes for d in deps[n]):
        return list(nodes)  # declaration order already works: what the heap below would give, in linear time
    remaining = {n: {d for d in deps[n] if d in position} for n in nodes}
    users = {n: [] for n in nodes}
    for n in nodes:
        for d in remaining[n]:
            users[d].append(n)
    import heapq

    ready = [position[n] for n in nodes if not remaining[n]]
    heapq.heapify(ready)
    order = []
    while ready:
        n = nodes[heapq.heappop(ready)]
        order.append(n)
        for u in users[n]:
            remaining[u].discard(n)
            if not remaining[u]:
                heapq.heappush(ready, position[u])
    if len(order) < len(nodes):
        left = [n for n in nodes if remaining[n]]
        raise _cycle_error([describe(n) for n in _find_cycle(left, remaining)], what)
    return order


def _find_cycle(left, remaining):
    left_set = set(left)
    start = left[0]
    path, seen = [start], {start: 0}
    node = start
    while True:
        nxt = sorted(d for d in remaining[node] if d in left_set)[0]
        if nxt in seen:
            return path[seen[nxt]:] + [nxt]
        seen[nxt] = len(path)
        path.append(nxt)
        node = nxt


def _cycle_error(cycle, what):
    shown = " -> ".join(cycle)
    first = next((c for c in cycle if not c.startswith("(")), cycle[0])
    if what == "step":
        msg = (
            f"algebraic loop (a feedback loop with no stock in it): {shown}. "
            "Each of these needs the others at the same moment. Break the loop by passing "
            "one link through a stock, or delay it with SMTH1 or DELAY1."
        )
    else:
        msg = (
            f"the initial values form a loop: {shown}. Give one of these stocks a number "
            "(or an equation that does not depend on the others) as its initial value."
        )
    return ModelError(msg, variable=first)


# -------------------------------------------------------------- generation

_FUNC_HELPER = {name: b.helper for name, b in BUILTINS.items() if b.scalar is not None}
_HELPER_NAMES = (
    "_pow", "_div", "_mod", "_add", "_sub", "_mul", "_where", "_and", "_or", "_not", "_nn", "_nn_in", "_rates",
    "rec", "range", "len", "_sum", "_np64", "_np64s",
) + tuple(sorted(_FUNC_HELPER.values()))
_FIXED_NAMES = {"P", "T", "O", "S", "F", "t", "dt", "i", "n", "t0_", "t1_", "_run", "_inf"}
_SLOT_RE = re.compile(r"(v|S|r|x|k[1-4]_)\d+\Z|_L\d+\Z")
#: The vector kernel's lookup grids (see _vector_grid): ``_G<k>``, k below the model's count.
_GRID_RE = re.compile(r"_G\d+\Z")
#: An operand the scalar generator may read more than once: a slot, a temporary, the
#: time, or a number as :func:`_num` writes it.
_SIMPLE_RE = re.compile(r"(?:[vx]\d+|t|dt|t0_|t1_|\(?-?\d[\d.e+-]*\)?)\Z")
#: Largest lookup table written out in place in the scalar kernels (larger ones are called).
_INLINE_POINTS = 16
#: Fewer runs than this, and the vector kernel's lookups call np.interp (see _vector_grid).
_INTERP_RUNS = 2048
#: The numpy functions the vector kernel calls to compute an equation's last operation
#: straight into its row of the output (see _Gen.assign).
_INTO_UFUNC = {"+": "_add", "-": "_sub", "*": "_mul", "/": "_div"}
#: How the generated code writes the value of an omitted optional argument.
_DEFAULT_ARG = {"STARTTIME": "t0_", "INF": "_inf"}


def _slopes(xs, ys):
    """The slope of each segment of a lookup table, ``(y[j+1] - y[j]) / (x[j+1] - x[j])``,
    as float64 (the same IEEE operations in numpy as in Python floats, so every kernel and
    helper reads one set of slopes). A segment too steep for a float gives ±inf (or NaN
    where both steps overflow), without a warning: its callers decide what that means."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    with np.errstate(all="ignore"):
        return (ys[1:] - ys[:-1]) / (xs[1:] - xs[:-1])


def _scalar_lookup(xs, ys):
    slopes = _slopes(xs, ys).tolist()
    xs = [float(x) for x in xs]
    ys = [float(y) for y in ys]
    x0, xn, y0, yn = xs[0], xs[-1], ys[0], ys[-1]

    def lookup(x):
        if x <= x0:
            return y0
        if x >= xn:
            return yn
        if x != x:
            return x
        j = bisect_right(xs, x) - 1
        return ys[j] + slopes[j] * (x - xs[j])

    return lookup


def _find_interp():
    """numpy's compiled interpolation, without np.interp's Python wrapper (which
    checks types and costs several times the C work for a small ensemble; each
    lookup of each step calls it), or np.interp where numpy does not expose it."""
    from importlib import import_module

    for where in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            module = import_module(where)
        except ImportError:
            continue
        fn = getattr(module, "interp", None)
        if callable(fn):
            return fn
    return np.interp


_interp = _find_interp()


def _vector_grid(xs):
    """Where an array of inputs falls on a lookup table's breakpoints ``xs``: the
    *segment* that :func:`_vector_table` reads, shared by every table with the same
    breakpoints read at the same input (models often read several effects of one input
    on one grid, e.g. of a workload from 0 to 4).

    For :data:`_INTERP_RUNS` runs or more: the input clipped to the grid's range (NaN
    stays NaN) minus the breakpoint at or below it, and that breakpoint's index ``j``
    (counted with one comparison per breakpoint; the end point is a "segment" of its
    own, so inputs at or beyond either end give the end values). Fewer runs, or a
    single number: the input itself, for ``np.interp``.
    """
    xs = np.asarray(xs, dtype=float)
    x0, xn = float(xs[0]), float(xs[-1])
    first, *rest = (float(v) for v in xs[1:])
    clip, greater_equal, add = np.clip, np.greater_equal, np.add
    intp, uint8 = np.intp, np.uint8

    def segment(x):
        if np.size(x) < _INTERP_RUNS:
            return x, None
        xc = clip(x, x0, xn)  # one pass, NaN kept (a new array: changed in place below)
        # the count of breakpoints at or below the input, summed as bytes (booleans are
        # bytes of 0 and 1; at most _INLINE_POINTS of them), then made indices for take
        j = greater_equal(xc, first).view(uint8)
        for e in rest:
            add(j, greater_equal(xc, e).view(uint8), out=j)
        j = j.astype(intp)
        xc -= xs.take(j, mode="clip")
        return xc, j

    return segment


def _vector_table(xs, ys):
    """A lookup table read at a segment of :func:`_vector_grid` (of the same ``xs``):
    ``y[j] + slope[j] * (x - x[j])``, the very operations of :func:`_scalar_lookup` (so
    both kernels agree to the bit: IEEE products and sums do not depend on the order of
    their two operands), the constants of each input's segment gathered with ``take``;
    the end point's slope is 0. A segment of a few runs is ``np.interp``'s, whose
    arithmetic is the same."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    slopes = np.append(_slopes(xs, ys), 0.0)  # a slope may overflow (then the kernel runs checked: lookups_bounded)
    interp = _interp

    def table(segment):
        d, j = segment
        if j is None:
            return interp(d, xs, ys)
        out = slopes.take(j, mode="clip")
        out *= d
        out += ys.take(j, mode="clip")
        return out

    return table


def _vector_lookup(xs, ys):
    """A lookup table of more than :data:`_INLINE_POINTS` points over an array of inputs:
    ``np.interp``, whose arithmetic is the scalar kernel's. Smaller tables are read at a
    segment of :func:`_vector_grid` by :func:`_vector_table` (about a third of
    ``np.interp``'s time, whose binary search per element dominated an ensemble's step),
    which the vector kernel calls itself so that tables on one grid read at one input
    share the segment.
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    interp = _interp

    def lookup(x):
        return interp(x, xs, ys)

    return lookup


def _v_and(a, b):
    return np.logical_and(np.not_equal(a, 0), np.not_equal(b, 0))


def _v_or(a, b):
    return np.logical_or(np.not_equal(a, 0), np.not_equal(b, 0))


def _v_not(a):
    return np.equal(a, 0)


def _v_sum(a):
    """The sum of every value of ``a``: not finite exactly when a value is not (or
    the finite values overflow, which the caller's closer look then clears)."""
    return np.add.reduce(a, axis=None)


def _v_nn_in(x):
    """The non-negative guard in place (x is a row of the output); NaN stays NaN."""
    np.maximum(x, 0.0, out=x)


def _np64(value):
    """One number (or array) as a numpy value: its arithmetic honours np.errstate."""
    return value if isinstance(value, np.ndarray) else np.float64(value)


def _np64s(values):
    """The parameters of a "watched" vector kernel: numpy scalars (or the sampled arrays)."""
    return tuple(map(_np64, values))


# The builtins' implementations come from the one table (dpmkit.builtins); the scalar
# ones give numpy's IEEE answers (inf, NaN) where Python's math would raise.
_SCALAR_HELPERS = {
    "_pow": OPERATORS["^"][0], "_div": OPERATORS["/"][0], "_mod": OPERATORS["MOD"][0], "_nn": s_nn,
    "range": range, "len": len, "_inf": math.inf,
}
_SCALAR_HELPERS.update({b.helper: b.scalar for b in BUILTINS.values() if b.scalar is not None})
_VECTOR_HELPERS = {
    "_pow": OPERATORS["^"][1], "_div": OPERATORS["/"][1], "_mod": OPERATORS["MOD"][1],
    "_where": np.where, "_and": _v_and, "_or": _v_or, "_not": _v_not, "_nn": v_nn,
    "_add": np.add, "_sub": np.subtract, "_mul": np.multiply, "_nn_in": _v_nn_in, "_sum": _v_sum,
    "_np64": _np64, "_np64s": _np64s, "range": range, "len": len, "_inf": math.inf,
}
_VECTOR_HELPERS.update({b.helper: b.vector for b in BUILTINS.values() if b.vector is not None})


def _num(value):
    text = repr(float(value))
    if text in ("inf", "-inf", "nan"):
        raise ModelError(f"the number {value!r} is not finite")
    return f"({text})" if value < 0 else text


_COMPARISONS = frozenset({"<", "<=", ">", ">=", "=", "<>"})


def _python_float(n):
    """Whether the "watched" vector kernel computes ``n`` as a Python float: a number (or
    PI), its negation, or a comparison of two such (0.0 or 1.0). Everything else there is
    a numpy value, since that kernel makes every value it starts from one (parameters,
    times, dt, schedules) and writes ``_np64(...)`` around the left operand of a ``+``,
    ``-`` or ``*`` of two Python floats (whose arithmetic numpy does not watch, and which
    CPython would even fold while compiling: ``1e200 * 1e200`` becomes ``inf`` with no
    flag) and around a slot's value that would be one. A Python float is thus always a
    finite number (:func:`_num`), its negation or 0/1, and every arithmetic operation of
    the kernel is numpy's, which raises an IEEE flag where it makes a value not finite
    from finite ones (see :func:`dpmkit.simulate._run_vector_watched`)."""
    if isinstance(n, Num):
        return True
    if isinstance(n, Name):
        return n.id == "PI"
    if isinstance(n, UnaryOp):
        return n.op == "-" and _python_float(n.operand)
    if isinstance(n, BinOp):
        return n.op in _COMPARISONS and _python_float(n.left) and _python_float(n.right)
    return False


class _Gen:
    """Writes Python source for one mode ("scalar", "ieee", "vector" or "watched") from resolved trees.

    In the scalar modes (one run, Python floats) the common builtins are written out in
    place instead of called: a lookup table of up to :data:`_INLINE_POINTS` points
    becomes a chain of conditional expressions (the same arithmetic as
    :func:`_scalar_lookup`, constant by constant), two-argument MIN and MAX, ZIDZ/XIDZ,
    the non-negative guard and MOD by a constant become expressions. An argument such
    an expression reads more than once is first computed into a temporary ``x<k>`` by
    a statement of its own, so nothing is computed twice. That is done only where the
    argument is evaluated anyway (not inside a branch of IF THEN ELSE or the right of
    AND/OR); there the helper is called as before.
    """

    def __init__(self, compiled, mode):
        self.c = compiled
        self.mode = mode
        self.vec = mode in ("vector", "watched")  # numpy arrays over runs
        self.watched = mode == "watched"
        self.pre = None  # statements computing temporaries, while writing one assignment
        self.lazy = 0  # >0 inside an operand Python may not evaluate
        self.temps = 0
        self.written = set()  # recorded slots computed straight into O (vector mode)
        self.memo = None  # vector mode: lookup calls already computed in this part -> temporary

    def simple(self, text):
        """``text`` itself if it is a name or a number, else a temporary computed from it
        (or None where no temporary may be written)."""
        if _SIMPLE_RE.match(text):
            return text
        if self.pre is None or self.lazy:
            return None
        name = f"x{self.temps}"
        self.temps += 1
        self.pre.append(f"{name} = {text}")
        return name

    def shared(self, text):
        """Vector mode: a lookup call met again in the same part of the kernel (the
        initial values, one step's equations, RK4's rates) is computed once, into a
        temporary; each slot is assigned once per part, so the same text has the same
        value there. (A model often reads one lookup of one input in several equations.)"""
        if self.memo is None or self.pre is None:
            return text
        name = self.memo.get(text)
        if name is None:
            name = f"x{self.temps}"
            self.temps += 1
            self.pre.append(f"{name} = {text}")
            self.memo[text] = name
        return name

    def inline_lookup(self, k, arg):
        lk = self.c.lookups[k]
        xs, ys = list(lk.x), list(lk.y)
        if len(xs) > _INLINE_POINTS:
            return None
        a = self.simple(arg)
        if a is None:
            return None
        slopes = _slopes(xs, ys).tolist()
        if not all(math.isfinite(slope) for slope in slopes):
            return None  # a segment too steep for a float: the table's helper reads it as the ensemble does
        parts = [f"{_num(ys[0])} if {a} <= {_num(xs[0])} else {_num(ys[-1])} if {a} >= {_num(xs[-1])} else"]
        for j, slope in enumerate(slopes):
            parts.append(f"{_num(ys[j])} + {_num(slope)} * ({a} - {_num(xs[j])}) if {a} < {_num(xs[j + 1])} else")
        parts.append(a)  # only NaN gets here: NaN in, NaN out
        return f"({' '.join(parts)})"

    def inline_call(self, func, args):
        """A scalar builtin written out in place, or None."""
        if func in ("MIN", "MAX") and len(args) == 2:
            a, b = self.simple(args[0]), None
            if a is not None:
                b = self.simple(args[1])
            if b is None:
                return None
            lt, le = ("<", "<=") if func == "MIN" else (">", ">=")
            # as dpmkit.builtins.s_min / s_max: NaN in either gives NaN
            return f"({a} if {a} {lt} {b} else {b} if {b} {le} {a} else {a} + {b})"
        if func in ("ZIDZ", "XIDZ"):
            b = self.simple(args[1])
            if b is None:
                return None
            return f"({args[0]} / {b} if {b} != 0 else {args[2]})"  # as s_safediv
        return None

    def ref(self, name):
        return f"v{self.c.slots[name].index}"

    def expr(self, n, top=False):
        """Source text of expression ``n``. ``top``: it is the whole right-hand side of
        an assignment, so + - * / need no parentheses around them (each pair costs
        Python's parser a descent through every level of its grammar, and parsing is
        most of Python's compiling of a large model's kernel)."""
        vec = self.vec
        if isinstance(n, Num):
            return _num(n.value)
        if isinstance(n, Name):
            if n.id == "TIME":
                return "t"
            if n.id == "DT":
                return "dt"
            if n.id == "STARTTIME":
                return "t0_"
            if n.id == "STOPTIME":
                return "t1_"
            if n.id == "PI":
                return _num(math.pi)
            return self.ref(n.id)
        if isinstance(n, BinOp):
            op = n.op
            a = self.expr(n.left)
            short = not vec and op in ("AND", "OR")  # Python may skip the right operand
            self.lazy += short
            b = self.expr(n.right)
            self.lazy -= short
            if op in ("+", "-", "*"):
                if self.watched and _python_float(n.left) and _python_float(n.right):
                    a = f"_np64({a})"  # numpy's arithmetic, which raises the IEEE flags
                return f"{a} {op} {b}" if top else f"({a} {op} {b})"
            if op == "/":  # "ieee": a division that may meet 0 (see CompiledModel.kernel)
                if self.mode != "scalar":
                    return f"_div({a}, {b})"
                return f"{a} / {b}" if top else f"({a} / {b})"
            if op == "^":
                return f"_pow({a}, {b})"
            if op == "MOD":
                if not vec and isinstance(n.right, Num) and n.right.value != 0:
                    return f"({a} % {b})"  # as s_mod, which only guards a zero divisor
                return f"_mod({a}, {b})"
            # numpy gives bool arrays for these, which it adds as OR and will not
            # subtract or negate: "+ 0.0" makes them 1.0/0.0 as in the scalar kernel
            if op in ("<", "<=", ">", ">="):
                return f"(({a} {op} {b}) + 0.0)" if vec else f"({a} {op} {b})"
            if op == "=":
                return f"(({a} == {b}) + 0.0)" if vec else f"({a} == {b})"
            if op == "<>":
                return f"(({a} != {b}) + 0.0)" if vec else f"({a} != {b})"
            if op == "AND":
                return f"(_and({a}, {b}) + 0.0)" if vec else f"({a} != 0 and {b} != 0)"
            if op == "OR":
                return f"(_or({a}, {b}) + 0.0)" if vec else f"({a} != 0 or {b} != 0)"
            raise AssertionError(op)
        if isinstance(n, UnaryOp):
            a = self.expr(n.operand)
            if n.op == "-":
                return f"(-{a})"
            return f"(_not({a}) + 0.0)" if vec else f"({a} == 0)"
        if isinstance(n, If):
            c = self.expr(n.cond)
            self.lazy += not vec
            a, b = self.expr(n.then), self.expr(n.orelse)
            self.lazy -= not vec
            return f"_where({c}, {a}, {b})" if vec else f"({a} if {c} else {b})"
        if isinstance(n, Call):
            args = [self.expr(a) for a in n.args]
            if not n.builtin:
                k = self.c.lookup_index[n.func]
                if not vec:
                    return self.inline_lookup(k, args[0]) or f"_L{k}({args[0]})"
                g = self.c.lookup_grid.get(k)
                if g is None:
                    return self.shared(f"_L{k}({args[0]})")
                # the input's segment on the table's grid, then the table read there:
                # tables on one grid read at one input share the segment
                return self.shared(f"_L{k}({self.shared(f'_G{g}({args[0]})')})")
            b = BUILTINS[n.func]
            args += [_DEFAULT_ARG[d] if isinstance(d, str) else _num(d) for d in b.defaults[len(args) - b.min_args:]]
            if not vec:
                inline = self.inline_call(n.func, args)
                if inline is not None:
                    return inline
            if b.time:
                args[:0] = ["t", "dt"]
            return f"{b.helper}({', '.join(args)})"
        raise AssertionError(n)

    def assign(self, slot, expr_node, indent, into=None):
        """The statement(s) computing ``slot``: temporaries first (scalar modes), then the slot.

        ``into`` (vector mode, the main step only) is the column of the output array
        ``O`` that records this slot: an equation whose last operation is + - * or /
        then computes straight into that row of ``O`` (numpy's ``out``), instead of into
        a new array copied there afterwards; :meth:`record` skips it.
        """
        target = f"v{slot.index}"
        self.pre = []
        if not self.vec:
            self.temps = 0  # scalar temporaries live for one statement; vector ones (see expr) for the step
        direct = (into is not None and self.vec and not slot.non_negative
                  and isinstance(expr_node, BinOp) and expr_node.op in _INTO_UFUNC)
        try:
            if direct:
                a, b = self.expr(expr_node.left), self.expr(expr_node.right)
                code = f"{_INTO_UFUNC[expr_node.op]}({a}, {b}, O[i, {into}])"
            else:
                code = self.expr(expr_node, top=True)
                if self.watched and not slot.non_negative and _python_float(expr_node):
                    code = f"_np64({code})"  # a number: no slot holds a Python float
            lines = self.pre
        finally:
            self.pre = None
        if direct:
            self.written.add(slot.name)
            lines.append(f"{target} = {code}")
            return "\n".join(indent + line for line in lines)
        if slot.non_negative:
            if self.vec:
                code = f"_nn({code})"
            else:
                lines.append(f"{target} = {code}")
                code = f"0.0 if {target} < 0.0 else {target}"  # as nn(), at the top
        lines.append(f"{target} = {code}")
        return "\n".join(indent + line for line in lines)

    def nn(self, name):
        """The non-negative guard of a name: as s_nn, NaN stays NaN."""
        return f"_nn({name})" if self.vec else f"(0.0 if {name} < 0.0 else {name})"

    def rate(self, s, indent, lines):
        """Source text of stock ``s``'s net rate.

        A long sum of flows is accumulated into ``r<index>`` by statements appended to
        ``lines`` (each a flat sum of at most :data:`_SUM_CHUNK` terms, evaluated left to
        right as the short form is), so neither Python's parser nor this generator
        nests deeper for a stock with thousands of flows.
        """
        rate = s.rate
        if not isinstance(rate, _Sum):
            return self.expr(rate)
        terms = rate.terms
        if len(terms) <= _SUM_CHUNK:
            # the text expr() writes for the same sum as a tree of + and - (left to
            # right, each operation in parentheses), without building that tree
            text = None
            for sign, name in terms:
                ref = self.ref(name)
                if text is None:
                    text = ref if sign > 0 else f"(-{ref})"
                else:
                    text = f"({text} + {ref})" if sign > 0 else f"({text} - {ref})"
            return text
        acc = f"r{s.index}"
        for lo in range(0, len(terms), _SUM_CHUNK):
            text = "" if lo == 0 else acc
            for sign, name in terms[lo:lo + _SUM_CHUNK]:
                ref = self.ref(name)
                if not text:
                    text = ref if sign > 0 else f"(-{ref})"
                else:
                    text += f" + {ref}" if sign > 0 else f" - {ref}"
            lines.append(f"{indent}{acc} = {text}")
        return acc

    def stock_updates(self, indent, rate_names=None, into=None):
        """The Euler update of every stock, all from the values before the update.

        ``into`` (vector mode) maps recorded stocks to their column of ``O``: their new
        values are computed straight into the next time's row (then named), so they
        need no copy when that time is recorded.
        """
        c = self.c
        lines = []
        stocks = c.stock_slots
        if not stocks:
            return lines
        into = into or {}
        targets, values, direct = [], [], []
        for k, s in enumerate(stocks):
            if s.rate is None:
                continue
            rate = rate_names[k] if rate_names else self.rate(s, indent, lines)
            if s.name in into:
                direct.append(s)
                lines.append(f"{indent}_add(v{s.index}, dt * {rate}, O[i + 1, {into[s.name]}])")
            else:
                targets.append(f"v{s.index}")
                values.append(f"v{s.index} + dt * {rate}")
        if targets:
            lines.append(f"{indent}{', '.join(targets)}, = {', '.join(values)},")
        for s in direct:
            lines.append(f"{indent}v{s.index} = O[i + 1, {into[s.name]}]")
            if s.non_negative:
                lines.append(f"{indent}_nn_in(v{s.index})")
        for s in stocks:
            if s.non_negative and s.rate is not None and s.name not in into:
                lines.append(f"{indent}v{s.index} = {self.nn(f'v{s.index}')}")
        return lines

    def record(self, indent):
        c = self.c
        if not self.vec:
            items = ", ".join(f"v{c.slots[name].index}" for name in c.dynamic_recorded)
            return [f"{indent}rec(({items},))"] if items else [f"{indent}rec(())"]
        return [f"{indent}O[i, {j}] = v{c.slots[name].index}" for j, name in enumerate(c.record_dyn)
                if name not in self.written]

    def source(self, method):
        c = self.c
        lines = ["def _run(P, T, dt, t0_, t1_, rec, O, S):"]
        ind = "    "
        # "watched": every number the kernel starts from a numpy value (see _python_float)
        def numpy(text):
            return f"_np64({text})" if self.watched else text

        if c.param_slots:
            params = "_np64s(P)" if self.watched else "P"
            lines.append(f"{ind}{', '.join(f'v{p.index}' for p in c.param_slots)}, = {params}")
        if self.watched:
            lines += [f"{ind}{name} = {numpy(name)}" for name in ("dt", "t0_", "t1_")]
        scheduled = [f"v{c.slots[name].index}" for name in c.scheduled]
        if scheduled:
            lines.append(f"{ind}{', '.join(f'S{j}' for j in range(len(scheduled)))}, = S")
        set_scheduled = [f"{v} = {numpy(f'S{j}[i]')}" for j, v in enumerate(scheduled)]
        lines.append(f"{ind}n = len(T)")
        lines.append(f"{ind}i = 0")
        if self.mode == "vector":
            lines.append(f"{ind}F = 0.0")
        lines.append(f"{ind}t = {numpy('T[0]')}")
        lines.extend(ind + line for line in set_scheduled)
        self.memo = {} if self.vec else None
        for s in c.init_needed:
            lines.append(self.assign(s, s.expr, ind))
        self.memo = {} if self.vec else None
        column = {name: j for j, name in enumerate(c.record_dyn)} if self.vec else {}
        dyn = [self.assign(s, s.expr, ind * 2, column.get(s.name)) for s in c.step_order if not s.static]
        self.memo = None
        # vector Euler: recorded stocks are updated straight into the next row of O
        # (the first row written here, before the loop)
        into = {}
        if method == "euler":
            into = {s.name: column[s.name] for s in c.stock_slots if s.rate is not None and s.name in column}
        for name, j in into.items():
            lines.append(f"{ind}O[0, {j}] = v{c.slots[name].index}")
        self.written.update(into)
        # One loop over every time, the last one included: the step's equations are
        # written once (the source, and so compile time, is a third smaller than with
        # the last time written out after the loop).
        lines.append(f"{ind}for i in range(n):")
        lines.append(f"{ind * 2}t = {numpy('T[i]')}")
        lines.extend(ind * 2 + line for line in set_scheduled)
        lines.extend(dyn)
        lines.extend(self.record(ind * 2))
        if self.mode == "vector":
            # the sum of the time's recorded row, while it is still in the cache: the
            # caller's check that every value is finite, at a fraction of the cost of a
            # second pass over the whole output once it has left the cache
            lines.append(f"{ind * 2}F = F + _sum(O[i])")
        lines.append(f"{ind * 2}if i == n - 1:")
        lines.append(f"{ind * 3}break")
        if method == "euler":
            lines.extend(self.stock_updates(ind * 2, into=into))
        else:
            lines.extend(self.rk4_step(ind * 2))
        statics = ", ".join(f"v{c.slots[name].index}" for name in c.static_recorded)
        statics = f"({statics},)" if statics else "()"
        lines.append(f"{ind}return {statics}, F" if self.mode == "vector" else f"{ind}return {statics}")
        if method == "rk4":
            lines[1:1] = self.rk4_rates(ind)
        return "\n".join(lines) + "\n"

    def rk4_rates(self, ind):
        c = self.c
        stocks = [s for s in c.stock_slots if s.rate is not None]
        if not stocks:  # nothing to integrate; rk4_step writes no step either
            return []
        args = ", ".join(f"v{s.index}" for s in stocks)
        lines = [f"{ind}def _rates(t, {args}):"]
        self.memo = {} if self.vec else None
        lines.extend(self.assign(s, s.expr, ind * 2) for s in c.step_order if not s.static)
        self.memo = None
        rates = [self.rate(s, ind * 2, lines) for s in stocks]
        lines.append(f"{ind * 2}return ({', '.join(rates)},)")
        return lines

    def rk4_step(self, ind):
        """RK4's step, the one definition of its arithmetic: the rates at t (k1), at
        t + dt/2 from the stocks moved by dt/2 * k1 (k2), then by dt/2 * k2 (k3), at
        t + dt from the stocks moved by dt * k3 (k4), and the stocks moved by their
        weighted sum. How a stage's rates are found is :meth:`rk4_stage`'s (here a call
        of the ``_rates`` closure); :meth:`rk4_start` names the stocks' values at t."""
        c = self.c
        stocks = [s for s in c.stock_slots if s.rate is not None]
        if not stocks:
            return []
        ks = range(len(stocks))
        lines = []
        rates = [self.rate(s, ind, lines) for s in stocks]
        lines.append(f"{ind}{', '.join(f'k1_{j}' for j in ks)}, = {', '.join(rates)},")
        at_t = self.rk4_start(stocks, ind, lines)
        for stage, (frac, prev) in enumerate(((0.5, 1), (0.5, 2), (1.0, 3)), start=2):
            h = "dt * 0.5" if frac == 0.5 else "dt"
            moved = [f"{at_t[j]} + {h} * k{prev}_{j}" for j in ks]
            lines += self.rk4_stage(stocks, h, moved, [f"k{stage}_{j}" for j in ks], ind)
        targets = ", ".join(f"v{s.index}" for s in stocks)
        values = ", ".join(f"{at_t[j]} + dt / 6.0 * (k1_{j} + 2.0 * k2_{j} + 2.0 * k3_{j} + k4_{j})" for j in ks)
        lines.append(f"{ind}{targets}, = {values},")
        for s in stocks:
            if s.non_negative:
                lines.append(f"{ind}v{s.index} = {self.nn(f'v{s.index}')}")
        return lines

    def rk4_start(self, stocks, ind, lines):
        """The names of the stocks' values at the start of RK4's step (the stock slots:
        the ``_rates`` closure leaves them as they are)."""
        return [f"v{s.index}" for s in stocks]

    def rk4_stage(self, stocks, h, moved, targets, ind):
        """The statements computing one RK4 stage's rates into ``targets``, at time
        ``t + h`` with the stocks at the values ``moved``."""
        return [f"{ind}{', '.join(targets)}, = _rates(t + {h}, {', '.join(moved)})"]


_ALLOWED_KEYWORDS = frozenset({"def", "for", "in", "return", "if", "else", "and", "or", "break"})
# The generated source's whole alphabet, as tokens: spaces and newlines (no tabs, no
# comments, no line continuations), numbers as repr(float) and whole numbers write
# them, names, and the operators the generator uses. No quote can appear, so there are
# no string literals; no "." outside a number, so no attribute access.
_NUMBER = r"\d+\.\d+(?:e[+-]\d+)?(?![\w.])|\d+e[+-]\d+(?![\w.])|\d+(?![\w.])"
# An operator may not run into another operator character, as "**", "//", "->", "<<",
# ":=" or "+=" would: Python reads those as one token the generator never writes.
_OPERATOR = r"(?:<=|>=|==|!=|[-+*/%<>=:])(?![-+*/%<>=:!])|[(),\[\]]"
_TOKEN_RE = re.compile(rf"[ \n]+|{_NUMBER}|[A-Za-z_][A-Za-z0-9_]*|{_OPERATOR}")
# Once the text is known to be made of those tokens only, a name token is a run of name
# characters that no name character or digit precedes (a letter inside a number, as in
# "1e-05", follows a digit). This finds the names that are not slot names (v12, S0, r3,
# x4, k2_5): the few fixed names, helpers and lookups, without making a string of every
# slot name in the text (a large model's source has hundreds of thousands).
_OTHER_NAMES_RE = re.compile(
    r"(?<![A-Za-z0-9_])(?!(?:v|S|r|x|k[1-4]_)\d+(?![A-Za-z0-9_]))[A-Za-z_][A-Za-z0-9_]*")


def _verify_source(source, lookups, grids=0):
    """Check every token of generated source against the fixed whitelist.

    The source must consist only of the tokens above (removing every token leaves
    nothing), and every name in it must be a keyword the generator writes, a helper of
    :data:`_HELPER_NAMES`, a fixed name, a slot name (``v12``, ``S0``, ``r3``,
    ``k2_5``), one of the ``lookups`` lookup tables (``_L0`` ...) or one of the
    ``grids`` lookup grids of the vector kernel (``_G0`` ...). Done with two
    regular expressions over the whole text (linear, in C) rather than Python's
    tokenizer, which took half of the compile time of a large model. Slot names,
    which are allowed by their form, are passed over without being collected.
    """
    residue = _TOKEN_RE.sub("", source)
    if residue:
        raise AssertionError(f"generated source has characters outside the whitelisted tokens: {residue[:20]!r}")
    allowed = set(_HELPER_NAMES) | _FIXED_NAMES | _ALLOWED_KEYWORDS
    for name in set(_OTHER_NAMES_RE.findall(source)) - allowed:
        if keyword.iskeyword(name) or keyword.issoftkeyword(name):
            raise AssertionError(f"generated source uses keyword {name!r}")
        if _GRID_RE.match(name) is not None:
            if int(name[2:]) >= grids:
                raise AssertionError(f"generated source uses a name outside the whitelist: {name!r}")
            continue
        match = _SLOT_RE.match(name)
        if match is None or (name.startswith("_L") and int(name[2:]) >= lookups):
            raise AssertionError(f"generated source uses a name outside the whitelist: {name!r}")


# ------------------------------------------------------------ compiled model


def _reads(node):
    """What an equation reads: the set of names it refers to (as
    :func:`~dpmkit.expressions.names_in`, lookups included) and whether it reads the
    time (``TIME`` or a builtin of :data:`_TIME_FUNCS`), in one walk of its tree."""
    found = set()
    reads_time = False
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        n = pop()
        if isinstance(n, Name):
            if n.id not in CONSTANTS:
                found.add(n.id)
            elif n.id == "TIME":
                reads_time = True
        elif isinstance(n, BinOp):
            push(n.left)
            push(n.right)
        elif isinstance(n, Call):
            if not n.builtin:
                found.add(n.func)
            if n.func in _TIME_FUNCS:
                reads_time = True
            extend(n.args)
        elif isinstance(n, UnaryOp):
            push(n.operand)
        elif isinstance(n, If):
            extend((n.cond, n.then, n.orelse))
    return found, reads_time


@contextmanager
def _gc_paused():
    """Pause Python's cyclic garbage collector while compiling.

    Compiling allocates many small objects (trees, slots, source text, code) and
    keeps most of them; each full collection the allocations trigger walks every
    live object, so with the collector on, compile time grows faster than model
    size (measured: 10k variables took 12-16x the time of 1k, 8-10x with it paused).
    Nothing is leaked: the collector runs again as before once compiling ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class CompiledModel:
    """A model turned into kernels; built once per model structure and cached."""

    def __init__(self, model, scheduled=frozenset()):
        # No reference to ``model`` is kept: this object is shared (cached) by every
        # model of the same structure, so errors must name the model being run, which
        # callers pass in (see simulate._raise_non_finite).
        self.scheduled = tuple(p.name for p in model.params if p.name in scheduled)
        slots = _Builder(model).build()
        self.slots = slots
        for k, s in enumerate(slots.values()):
            s.index = k
        self.lookups = model.lookups
        self.lookup_index = {lk.name: k for k, lk in enumerate(self.lookups)}
        # The vector kernel's lookup grids: the distinct breakpoints (bit for bit) of the
        # tables it reads by counting segments; table index -> grid index.
        grids = {}
        self.lookup_grid = {}
        for k, lk in enumerate(self.lookups):
            if len(lk.x) <= _INLINE_POINTS:
                xs = np.asarray(lk.x, dtype=float)
                self.lookup_grid[k] = grids.setdefault(xs.tobytes(), len(grids))
        self.grids = tuple(np.frombuffer(key, dtype=float) for key in grids)
        self.param_slots = [s for s in slots.values() if s.kind == "param"]
        self.stock_slots = [s for s in slots.values() if s.kind == "stock"]
        self.param_names = tuple(s.name for s in self.param_slots)
        names = slots.keys()
        # the slots each equation reads, and the equations that read the time, found in
        # one walk of each tree
        used, timed = {}, set()
        for s in slots.values():
            if s.kind != "param":
                found, reads_time = _reads(s.expr)
                used[s.name] = found & names
                if reads_time:
                    timed.add(s.name)

        # evaluation order within a step: auxiliaries and flows (stocks and params are known)
        # (a slot's dependencies outside the nodes ordered are ignored by _toposort)
        step_nodes = [s.name for s in slots.values() if s.kind == "aux"]
        self.step_order = [slots[n] for n in _toposort(step_nodes, used, "step", self.describe_slot)]

        # initial values: everything but parameters, stocks from their initial value
        init_nodes = [s.name for s in slots.values() if s.kind != "param"]
        self.init_order = [slots[n] for n in _toposort(init_nodes, used, "init", self.describe_slot)]

        # what never changes during a run
        static = {s.name for s in slots.values() if s.kind in ("param", "init") and s.name not in self.scheduled}
        for s in self.step_order:
            s.static = False
        for s in self.step_order:
            if s.name not in timed and used[s.name] <= static:
                static.add(s.name)
                s.static = True
        self.static = static
        # What the kernel computes before the first step: the stocks' initial values, the
        # constants, and what those need. Other auxiliaries and flows are computed at the
        # top of the first step anyway, so computing them here too would only lengthen
        # the source (and compile time) by a third.
        needed = {s.name for s in self.init_order if s.kind == "stock" or s.name in static}
        for s in reversed(self.init_order):
            if s.name in needed:
                needed |= used[s.name]
        self.init_needed = [s for s in self.init_order if s.name in needed]

        user_recorded = list(model.recorded)
        self.recorded = tuple(user_recorded)
        self.dynamic_recorded = tuple(n for n in user_recorded if n not in static)
        self.static_recorded = tuple(n for n in user_recorded if n in static)
        self._kernels = {}
        # record order used by the vector kernel (set per call)
        self.record_dyn = ()

    # -------------------------------------------------------------- kernels
    def kernel(self, method, mode, record=None):
        """The generated function for ``method`` and ``mode``; built on first use.

        Modes: ``"vector"`` (numpy arrays, an ensemble), ``"scalar"`` (Python floats, a
        single run) and ``"ieee"``, the scalar kernel with every division through a
        helper that gives numpy's ±inf/NaN for a zero divisor. ``"scalar"`` divides with
        Python's ``/``, which raises ZeroDivisionError instead; :func:`dpmkit.simulate`
        runs it first (it is faster) and reruns with ``"ieee"`` when it raises.

        Every kernel is called as ``kernel(P, T, dt, t0, t1, rec, O, S)``. The scalar
        ones pass each time's recorded values to ``rec`` and return the static recorded
        values; the vector one writes them into ``O`` (time, variable, run) and returns
        ``(statics, total)``, where ``total`` is the sum of everything it wrote (not
        finite exactly when some recorded value may not be: a cheap first check).

        ``"watched"`` is the vector kernel without that sum, its every value a numpy
        value (see :func:`_python_float`), so that under ``np.errstate`` numpy's IEEE
        flags see any value that stops being finite; it returns the static recorded
        values only. Its ``noisy`` attribute starts False; :func:`dpmkit.ensemble` sets it
        when a flag turned out not to matter (see ``simulate._run_vector_watched``).
        """
        key = (method, mode, record)
        fn = self._kernels.get(key)
        if fn is None:
            with _gc_paused():
                fn = self._build_kernel(key)
        return fn

    def _build_kernel(self, key):
        method, mode, record = key
        vec = mode in ("vector", "watched")
        if vec:
            self.record_dyn = tuple(n for n in (record or self.recorded) if n not in self.static)
        gen = _Gen(self, mode)
        source = gen.source(method)
        grids = len(self.grids) if vec else 0
        _verify_source(source, len(self.lookups), grids)
        helpers = _VECTOR_HELPERS if vec else _SCALAR_HELPERS
        namespace = {"__builtins__": {}}
        namespace.update(helpers)
        for k, lk in enumerate(self.lookups):
            if not vec:
                namespace[f"_L{k}"] = _scalar_lookup(lk.x, lk.y)
            elif k in self.lookup_grid:  # read at a segment of its grid
                namespace[f"_L{k}"] = _vector_table(lk.x, lk.y)
            else:
                namespace[f"_L{k}"] = _vector_lookup(lk.x, lk.y)
        for g in range(grids):
            namespace[f"_G{g}"] = _vector_grid(self.grids[g])
        # a fixed file name: no user text (not even the model's name) reaches compile()
        code = compile(source, "<dpmkit-kernel>", "exec")
        exec(code, namespace)
        fn = namespace["_run"]
        fn.record_dyn = self.record_dyn if vec else self.dynamic_recorded
        fn.source = source
        if mode == "watched":
            fn.noisy = False
        self._kernels[key] = fn
        return fn

    @cached_property
    def lookups_bounded(self):
        """True when reading each lookup table at a finite input gives a finite value
        whatever the input: its steps in x and its slopes are finite and no y is beyond
        1e307 in size (so ``y[j] + slope * (x - x[j])``, at most about 3 times the largest
        y, cannot overflow). ``np.interp`` raises no IEEE flag, and a slope that overflowed
        when the table was read in would make a non-finite value silently, so only then
        do numpy's flags see everything the vector kernel makes."""
        for lk in self.lookups:
            xs, ys = np.asarray(lk.x, dtype=float), np.asarray(lk.y, dtype=float)
            with np.errstate(all="ignore"):
                steps = np.diff(xs)
            if not (np.isfinite(steps).all() and np.isfinite(_slopes(xs, ys)).all() and np.abs(ys).max() <= 1e307):
                return False
        return True

    def describe_slot(self, name):
        """A slot's name as a learner knows it (hidden helpers by the builtin that made them)."""
        s = self.slots[name]
        return f"({s.origin})" if s.hidden else name


# ------------------------------------------------------------------- caching

_CACHE = OrderedDict()
_CACHE_SIZE = 64


def _structure_key(model):
    parts = []
    for v in model.variables:
        if isinstance(v, Param):
            parts.append(("param", v.name, v.units))
        else:
            parts.append(v)
    return (model.time_units, model.check_units, tuple(parts))


_UNITS_CHECKED = set()


def compile_model(model, scheduled=frozenset()):
    """The :class:`CompiledModel` for ``model`` (cached; units checked once).

    ``scheduled`` names parameters that change during the run (events); they are
    read from a per-step schedule instead of being treated as constants.
    """
    scheduled = frozenset(scheduled)
    compiled = model._cache.get(("compiled", scheduled))
    if compiled is not None:
        return compiled
    with _gc_paused():
        return _compile_model(model, scheduled)


def _compile_model(model, scheduled):
    base_key = _structure_key(model)
    if model.check_units != "off" and base_key not in _UNITS_CHECKED:
        from .units import check_units

        issues = check_units(model)
        if issues and model.check_units == "error":
            raise ModelError(
                "units do not agree:\n  " + "\n  ".join(str(i) for i in issues),
                variable=issues[0].variable,
            )
        for issue in issues:
            warnings.warn(str(issue), UnitsWarning, stacklevel=4)
        _UNITS_CHECKED.add(base_key)
    key = (base_key, scheduled)
    compiled = _CACHE.get(key)
    if compiled is None:
        compiled = CompiledModel(model, scheduled)
        _CACHE[key] = compiled
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    model._cache[("compiled", scheduled)] = compiled
    return compiled


def dependency_map(model):
    """``{name: set of names it depends on}`` for the declared variables.

    Equations give the links; a stock depends on its inflows and outflows. Stateful
    builtins (SMTH, DELAY, INIT) count as direct links to their arguments' variables.
    """
    out = {}
    names = set(model.names)
    for v in model.variables:
        if isinstance(v, Stock):
            out[v.name] = {f.name for f in model.inflows(v.name)} | {f.name for f in model.outflows(v.name)}
        elif isinstance(v, (Aux, Flow)):
            out[v.name] = names_in(model._tree(v)) & names
        else:
            out[v.name] = set()
    return out
