"""A small numpy interpreter for parsed equations, used by the loop analysis.

It walks the syntax tree from :func:`dpmkit.parse` (no ``eval``), with every value an
array, so one call evaluates an equation at many states at once: that is how link
polarities are probed and how loop scores are computed. Stateful builtins are read
as the analysis needs them: SMTH and DELAY pass their input through (their long-run
gain is 1, so they keep the sign of the link), and INIT reads the unperturbed state.
"""

from __future__ import annotations

import math

import numpy as np

from ..builtins import BUILTINS, OPERATORS
from ..errors import ModelError
from ..expressions import BinOp, Call, If, Name, Num, UnaryOp, walk

_PASS_THROUGH = frozenset(name for name, b in BUILTINS.items() if b.state in ("smooth", "delay"))


def uses_state_builtin(node):
    """True if the equation contains SMTH, DELAY or INIT."""
    return any(isinstance(n, Call) and n.builtin and (n.func in _PASS_THROUGH or n.func == "INIT")
               for n in walk(node))


class Evaluator:
    """Evaluate equations of ``model`` on arrays of states.

    Parameters
    ----------
    model : Model
    env : dict
        Values of variables and parameters, arrays that broadcast together.
    time : array
        TIME at each state (broadcasts with ``env``).
    base : dict, optional
        Unperturbed values, read by INIT (default: ``env``).
    """

    def __init__(self, model, env, time, base=None):
        self.env = env
        self.base = env if base is None else base
        self.time = time
        self.dt = model.dt
        self.consts = {"DT": model.dt, "STARTTIME": model.start, "STOPTIME": model.stop, "PI": math.pi}
        self.tables = {lk.name: (np.asarray(lk.x), np.asarray(lk.y)) for lk in model.lookups}

    def __call__(self, node):
        with np.errstate(all="ignore"):
            return np.asarray(self._ev(node, self.env), dtype=float)

    def _ev(self, n, env):
        if isinstance(n, Num):
            return n.value
        if isinstance(n, Name):
            if n.id == "TIME":
                return self.time
            if n.id in self.consts:
                return self.consts[n.id]
            try:
                return env[n.id]
            except KeyError:
                raise ModelError(f"no value for {n.id!r} while probing an equation", variable=n.id) from None
        if isinstance(n, BinOp):
            a, b = self._ev(n.left, env), self._ev(n.right, env)
            op = n.op
            if op == "+":
                return np.add(a, b)
            if op == "-":
                return np.subtract(a, b)
            if op == "*":
                return np.multiply(a, b)
            if op in OPERATORS:  # / ^ MOD: the kernels' vector implementations
                return OPERATORS[op][1](np.asarray(a, dtype=float), b)
            cmp = {"=": np.equal, "<>": np.not_equal, "<": np.less, "<=": np.less_equal, ">": np.greater,
                   ">=": np.greater_equal}
            if op in cmp:
                return cmp[op](a, b).astype(float)
            if op == "AND":
                return np.logical_and(np.not_equal(a, 0), np.not_equal(b, 0)).astype(float)
            if op == "OR":
                return np.logical_or(np.not_equal(a, 0), np.not_equal(b, 0)).astype(float)
            raise ModelError(f"operator {op!r} is not supported here")
        if isinstance(n, UnaryOp):
            a = self._ev(n.operand, env)
            return np.negative(a) if n.op == "-" else np.equal(a, 0).astype(float)
        if isinstance(n, If):
            c = self._ev(n.cond, env)
            return np.where(np.not_equal(c, 0), self._ev(n.then, env), self._ev(n.orelse, env))
        if isinstance(n, Call):
            return self._call(n, env)
        raise ModelError(f"unsupported syntax {type(n).__name__}")

    def _lookup(self, table, x):
        xs, ys = self.tables[table]
        return np.interp(x, xs, ys)

    def _call(self, n, env):
        f = n.func
        if not n.builtin:
            return self._lookup(f, self._ev(n.args[0], env))
        if f == "LOOKUP":
            return self._lookup(n.args[0].id, self._ev(n.args[1], env))
        if f in _PASS_THROUGH:
            return self._ev(n.args[0], env)
        if f == "INIT":
            return self._ev(n.args[0], self.base)
        b = BUILTINS.get(f)
        if b is None or b.vector is None:
            raise ModelError(f"function {f} is not supported here")
        args = [self._ev(a, env) for a in n.args]
        for d in b.defaults[len(args) - b.min_args:]:
            args.append(self.consts["STARTTIME"] if d == "STARTTIME" else np.inf if d == "INF" else d)
        if b.time:
            return b.vector(self.time, self.dt, *args)
        return b.vector(*args)
