"""The model as data: frozen declarations of stocks, flows, auxiliaries, parameters
and lookups, gathered into a :class:`Model`.

A declaration says what a variable *is* (name, units, label, description, equation,
DPM role). Everything else in the kit — simulation, sliders, DPM charts, parameter
tables, XMILE files — is derived from these declarations, so each fact is written
once. Declarations are frozen: to change one, make a new one (``model.with_params``,
``model.with_variables``, :func:`dataclasses.replace`).
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from dataclasses import dataclass, field, fields, replace

from .errors import ModelError, shown
from .expressions import RESERVED, parse

__all__ = ["ROLES", "Stock", "Flow", "Aux", "Param", "Lookup", "Model"]

#: The roles a variable can play in a Dynamic Performance Management chart (Bianchi).
ROLES = ("strategic_resource", "performance_driver", "end_result", "policy_lever")

_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_METHODS = ("euler", "rk4")

Number = int | float


def _check_name(name, kind):
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ModelError(
            f"{kind} name {name!r} is not valid: use letters, digits and underscores, "
            "starting with a letter (for example 'staff_morale')",
            variable=name if isinstance(name, str) else None,
        )
    if "__" in name:
        raise ModelError(f"{kind} name {name!r} may not contain '__'", variable=name)
    if name.upper() in RESERVED:
        raise ModelError(
            f"{kind} name {name!r} is a reserved word of the equation language; choose another name",
            variable=name,
        )


def _check_role(role, name):
    if role is not None and role not in ROLES:
        raise ModelError(
            f"role {role!r} of {name!r} is not one of {', '.join(ROLES)}", variable=name
        )


def _default_label(name):
    return name.replace("_", " ").capitalize()


def _check_equation(equation, name, what="equation"):
    if isinstance(equation, bool) or not isinstance(equation, (str, int, float)):
        raise ModelError(
            f"the {what} of {name!r} must be text or a number, not {type(equation).__name__}",
            variable=name,
        )


@dataclass(frozen=True)
class _Variable:
    """Fields every declaration shares."""

    name: str
    units: str = field(default="", kw_only=True)
    label: str = field(default="", kw_only=True)
    description: str = field(default="", kw_only=True)
    role: str | None = field(default=None, kw_only=True)

    kind = "variable"

    def __post_init__(self):
        _check_name(self.name, self.kind)
        _check_role(self.role, self.name)
        if not isinstance(self.units, str):
            raise ModelError(f"units of {self.name!r} must be text, e.g. 'people/year'", variable=self.name)
        if not self.label:
            object.__setattr__(self, "label", _default_label(self.name))


@dataclass(frozen=True)
class Stock(_Variable):
    """A stock (level): something that accumulates, like a caseload or staff.

    Parameters
    ----------
    name : str
    initial : str or float
        Initial value, a number or an equation evaluated at the start time.
    units, label, description : str
    role : str, optional
        DPM role, usually ``"strategic_resource"``.
    non_negative : bool
        If True the stock is never allowed below zero (a guard, as Stella's
        non-negative stocks): after each step a negative value is set to 0.
    """

    initial: str | Number
    non_negative: bool = field(default=False, kw_only=True)

    kind = "stock"

    def __post_init__(self):
        super().__post_init__()
        _check_equation(self.initial, self.name, "initial value")


@dataclass(frozen=True)
class Flow(_Variable):
    """A flow (rate): what fills or drains stocks per unit of time.

    Parameters
    ----------
    name : str
    equation : str or float
    into : str, optional
        Name of the stock this flow fills.
    out_of : str, optional
        Name of the stock this flow drains.
    non_negative : bool
        If True the flow never runs backwards (negative values become 0).
    """

    equation: str | Number
    into: str | None = field(default=None, kw_only=True)
    out_of: str | None = field(default=None, kw_only=True)
    non_negative: bool = field(default=False, kw_only=True)

    kind = "flow"

    def __post_init__(self):
        super().__post_init__()
        _check_equation(self.equation, self.name)
        for end in (self.into, self.out_of):
            if end is not None and not isinstance(end, str):
                raise ModelError(f"flow {self.name!r}: into/out_of must be stock names", variable=self.name)


@dataclass(frozen=True)
class Aux(_Variable):
    """An auxiliary: a value computed from others at each moment (a ratio, an effect)."""

    equation: str | Number

    kind = "auxiliary"

    def __post_init__(self):
        super().__post_init__()
        _check_equation(self.equation, self.name)


@dataclass(frozen=True)
class Param(_Variable):
    """A parameter: a number the learner, the analyst or the data decides.

    Parameters
    ----------
    name : str
    default : float
    bounds : (float, float), optional
        Smallest and largest sensible values. Sliders, sampling and validation use
        them; a run with a value outside raises :class:`ModelError` unless allowed.
    source : str, optional
        Key into the evidence registry for real-world numbers, or ``"assumption"``.
    uncertainty : (float, float), optional
        Plausible range when the value is uncertain (not a policy choice).
        Monte-Carlo analysis samples within it. Must lie within ``bounds``.
    """

    default: Number
    bounds: tuple[Number, Number] | None = field(default=None, kw_only=True)
    source: str | None = field(default=None, kw_only=True)
    uncertainty: tuple[Number, Number] | None = field(default=None, kw_only=True)

    kind = "parameter"

    def __post_init__(self):
        super().__post_init__()
        name = self.name
        if isinstance(self.default, bool) or not isinstance(self.default, (int, float)) or not _finite(self.default):
            raise ModelError(f"parameter {name!r}: default must be a finite number, got {shown(self.default)}",
                             variable=name)
        object.__setattr__(self, "default", float(self.default))
        for attr in ("bounds", "uncertainty"):
            rng = getattr(self, attr)
            if rng is None:
                continue
            try:
                lo, hi = (float(v) for v in rng)
            except (TypeError, ValueError, OverflowError):
                raise ModelError(f"parameter {name!r}: {attr} must be a pair (low, high), got {shown(rng)}",
                                 variable=name) from None
            if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
                raise ModelError(f"parameter {name!r}: {attr} {shown(rng)} must be finite with low <= high",
                                 variable=name)
            object.__setattr__(self, attr, (lo, hi))
        if self.bounds is not None and not self.bounds[0] <= self.default <= self.bounds[1]:
            raise ModelError(
                f"parameter {name!r}: default {self.default:g} lies outside its bounds "
                f"{self.bounds[0]:g} to {self.bounds[1]:g}",
                variable=name,
            )
        if self.uncertainty is not None and self.bounds is not None:
            (ulo, uhi), (blo, bhi) = self.uncertainty, self.bounds
            if ulo < blo or uhi > bhi:
                raise ModelError(
                    f"parameter {name!r}: uncertainty range {ulo:g} to {uhi:g} "
                    f"must lie within bounds {blo:g} to {bhi:g}",
                    variable=name,
                )

    @property
    def is_uncertain(self):
        """True when the parameter declares an uncertainty range."""
        return self.uncertainty is not None

    def check(self, value, allow_out_of_bounds=False):
        """Return ``value`` as a float, or raise ModelError if it is not allowed."""
        if isinstance(value, bool):
            raise ModelError(f"parameter {self.name!r}: value must be a number, got {shown(value)}", variable=self.name)
        try:
            v = float(value)
        except OverflowError:
            raise ModelError(f"parameter {self.name!r}: value must be finite, got {shown(value)}",
                             variable=self.name) from None
        except (TypeError, ValueError):
            raise ModelError(f"parameter {self.name!r}: value must be a number, got {shown(value)}",
                             variable=self.name) from None
        if not math.isfinite(v):
            raise ModelError(f"parameter {self.name!r}: value must be finite, got {shown(value)}", variable=self.name)
        if self.bounds is not None and not allow_out_of_bounds and not self.bounds[0] <= v <= self.bounds[1]:
            raise ModelError(
                f"parameter {self.name!r} = {v:g} is outside its bounds {self.bounds[0]:g} to "
                f"{self.bounds[1]:g}{' ' + self.units if self.units else ''}; choose a value inside, "
                "or pass allow_out_of_bounds=True to explore beyond them on purpose",
                variable=self.name,
            )
        return v


@dataclass(frozen=True)
class Lookup(_Variable):
    """A graphical function (table): called in equations by name, ``effect(x)``.

    Values between points are interpolated linearly; beyond the first or last point
    the end value is held (the XMILE default).

    Parameters
    ----------
    name : str
    x, y : sequences of float
        Points, with ``x`` strictly increasing.
    units : str
        Units of the output.
    x_units : str
        Units of the input.
    """

    x: tuple[float, ...]
    y: tuple[float, ...]
    x_units: str = field(default="", kw_only=True)
    source: str | None = field(default=None, kw_only=True)

    kind = "lookup"

    def __post_init__(self):
        super().__post_init__()
        name = self.name
        try:
            xs = tuple(float(v) for v in self.x)
            ys = tuple(float(v) for v in self.y)
        except (TypeError, ValueError, OverflowError):
            raise ModelError(f"lookup {name!r}: x and y must be sequences of finite numbers", variable=name) from None
        if len(xs) != len(ys):
            raise ModelError(f"lookup {name!r}: x has {len(xs)} points but y has {len(ys)}", variable=name)
        if len(xs) < 2:
            raise ModelError(f"lookup {name!r} needs at least 2 points, got {len(xs)}", variable=name)
        for i, (a, b) in enumerate(zip(xs, ys)):
            if not (math.isfinite(a) and math.isfinite(b)):
                raise ModelError(f"lookup {name!r}: point {i} ({a}, {b}) is not finite", variable=name)
        for i in range(1, len(xs)):
            if not xs[i] > xs[i - 1]:
                raise ModelError(
                    f"lookup {name!r}: x must increase strictly, but point {i} (x={xs[i]:g}) "
                    f"is not after point {i - 1} (x={xs[i - 1]:g})",
                    variable=name,
                )
        object.__setattr__(self, "x", xs)
        object.__setattr__(self, "y", ys)


_KINDS = (Stock, Flow, Aux, Param, Lookup)


@dataclass(frozen=True)
class Model:
    """A stock-and-flow model: named declarations plus time settings.

    Parameters
    ----------
    name : str
    variables : sequence of Stock, Flow, Aux, Param, Lookup
    start, stop, dt : float
        Simulated time span and step: finite real numbers (not text, not True/False),
        ``dt > 0``. ``(stop - start) / dt`` must be a whole number (within 1e-9 of a
        step) of at most 10,000,000 steps.
    time_units : str
        E.g. ``"year"``, ``"month"``.
    method : {"euler", "rk4"}
        Default integration method (Euler is the system-dynamics convention).
    check_units : {"warn", "error", "off"}
        What to do with units mismatches found when the model is compiled.
    scenarios : mapping, optional
        Named parameter sets, e.g. ``{"no_coproduction": {"coproduction": 0}}``.

    Examples
    --------
    >>> import dpmkit as dk
    >>> m = dk.Model("decay", [
    ...     dk.Stock("waiting", 100, units="people"),
    ...     dk.Flow("served", "waiting / wait_time", out_of="waiting", units="people/week"),
    ...     dk.Param("wait_time", 4, bounds=(1, 20), units="week"),
    ... ], stop=20, time_units="week")
    >>> round(float(dk.simulate(m)["waiting"][-1]), 3)
    0.317
    """

    name: str
    variables: tuple = ()
    start: Number = field(default=0.0, kw_only=True)
    stop: Number = field(default=10.0, kw_only=True)
    dt: Number = field(default=1.0, kw_only=True)
    time_units: str = field(default="year", kw_only=True)
    method: str = field(default="euler", kw_only=True)
    label: str = field(default="", kw_only=True)
    description: str = field(default="", kw_only=True)
    check_units: str = field(default="warn", kw_only=True)
    scenarios: tuple = field(default=(), kw_only=True)
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise ModelError("a model needs a name (text)")
        try:
            variables = tuple(self.variables)
        except TypeError:
            raise ModelError(f"model {self.name!r}: variables must be a list of Stock, Flow, Aux, Param and Lookup, "
                             f"not {type(self.variables).__name__}") from None
        object.__setattr__(self, "variables", variables)
        seen = {}
        for i, v in enumerate(variables):
            if not isinstance(v, _KINDS):
                raise ModelError(
                    f"model {self.name!r}: item {i} is {type(v).__name__}, not a Stock, Flow, Aux, Param or Lookup"
                )
            if v.name in seen:
                raise ModelError(
                    f"model {self.name!r}: the name {v.name!r} is declared twice "
                    f"(as a {seen[v.name].kind} and as a {v.kind})",
                    variable=v.name,
                )
            seen[v.name] = v
        stocks = {v.name for v in variables if isinstance(v, Stock)}
        for f in variables:
            if isinstance(f, Flow):
                for end, word in ((f.into, "into"), (f.out_of, "out_of")):
                    if end is None:
                        continue
                    if end not in seen:
                        raise ModelError(
                            f"flow {f.name!r} points {word} {end!r}, but the model has no variable of that name"
                            + _hint(end, stocks),
                            variable=f.name,
                        )
                    if end not in stocks:
                        raise ModelError(
                            f"flow {f.name!r} points {word} {end!r}, which is a {seen[end].kind}, not a stock",
                            variable=f.name,
                        )
                if f.into is not None and f.into == f.out_of:
                    raise ModelError(f"flow {f.name!r} goes out of and into the same stock {f.into!r}", variable=f.name)
        for attr in ("start", "stop", "dt"):
            object.__setattr__(self, attr, _time_setting(self.name, attr, getattr(self, attr)))
        _check_time(self.name, self.start, self.stop, self.dt)
        if self.method not in _METHODS:
            raise ModelError(f"model {self.name!r}: method must be 'euler' or 'rk4', got {self.method!r}")
        if self.check_units not in ("warn", "error", "off"):
            raise ModelError(f"model {self.name!r}: check_units must be 'warn', 'error' or 'off'")
        scen = self.scenarios
        if isinstance(scen, dict):
            scen = tuple((k, tuple(sorted(dict(v).items()))) for k, v in scen.items())
            object.__setattr__(self, "scenarios", scen)
        if not self.label:
            object.__setattr__(self, "label", _default_label(self.name))

    # ------------------------------------------------------------ lookups
    def _index(self):
        """Lookup tables built once per model: by name, by kind, flows per stock.

        Every question below is answered from them, so no step of reading or
        compiling a model walks all its variables once per variable.
        """
        index = self._cache.get("index")
        if index is None:
            by_kind = {kind: [] for kind in _KINDS}
            inflows, outflows = {}, {}
            for v in self.variables:
                by_kind[next(k for k in _KINDS if isinstance(v, k))].append(v)
                if isinstance(v, Flow):
                    if v.into is not None:
                        inflows.setdefault(v.into, []).append(v)
                    if v.out_of is not None:
                        outflows.setdefault(v.out_of, []).append(v)
            index = (
                {v.name: v for v in self.variables},
                {kind: tuple(vs) for kind, vs in by_kind.items()},
                {k: tuple(vs) for k, vs in inflows.items()},
                {k: tuple(vs) for k, vs in outflows.items()},
            )
            self._cache["index"] = index
        return index

    def _tree(self, v):
        """The syntax tree of declared variable ``v``'s equation (a stock's initial value).

        Parsed once per model and shared by the units check, the compiler and the
        dependency map. Parse errors are not stored: asking again raises them again.
        """
        trees = self._cache.get("trees")
        if trees is None:
            trees = self._cache["trees"] = {}
        tree = trees.get(v.name)
        if tree is None:
            tree = trees[v.name] = parse(v.initial if isinstance(v, Stock) else v.equation, v.name)
        return tree

    def __getitem__(self, name):
        try:
            return self._index()[0][name]
        except (KeyError, TypeError):
            pass
        raise KeyError(f"model {self.name!r} has no variable {name!r}"
                       + (_hint(name, self.names) if isinstance(name, str) else ""))

    def __contains__(self, name):
        try:
            return name in self._index()[0]
        except TypeError:  # an unhashable name is not a variable's name
            return False

    @property
    def names(self):
        """Names of all declared variables, in declaration order."""
        return tuple(v.name for v in self.variables)

    def _of(self, kind):
        return self._index()[1][kind]

    @property
    def stocks(self):
        return self._of(Stock)

    @property
    def flows(self):
        return self._of(Flow)

    @property
    def auxes(self):
        return self._of(Aux)

    @property
    def params(self):
        return self._of(Param)

    @property
    def lookups(self):
        return self._of(Lookup)

    def inflows(self, stock):
        """Flows that fill ``stock``."""
        return self._index()[2].get(stock, ())

    def outflows(self, stock):
        """Flows that drain ``stock``."""
        return self._index()[3].get(stock, ())

    def with_role(self, role):
        """Variables that carry DPM role ``role``."""
        _check_role(role, "?")
        return tuple(v for v in self.variables if v.role == role)

    @property
    def policy_levers(self):
        return tuple(p for p in self.params if p.role == "policy_lever")

    @property
    def uncertainties(self):
        return tuple(p for p in self.params if p.is_uncertain)

    @property
    def scenario_names(self):
        return tuple(k for k, _ in self.scenarios)

    def scenario(self, name):
        """Parameter values of the named scenario, as a dict."""
        for k, v in self.scenarios:
            if k == name:
                return dict(v)
        raise ModelError(
            f"model {self.name!r} has no scenario {name!r}; it has: {', '.join(self.scenario_names) or 'none'}"
        )

    @property
    def defaults(self):
        """Default values of all parameters, as a dict."""
        return {p.name: p.default for p in self.params}

    # The lookups every part of the kit needs, built once per model (models are frozen).
    @property
    def recorded(self):
        """Names of the variables a run records (stocks, flows, auxiliaries), in declaration order."""
        found = self._cache.get("recorded")
        if found is None:
            found = self._cache["recorded"] = tuple(
                v.name for v in self.variables if isinstance(v, (Stock, Flow, Aux)))
        return found

    @property
    def params_by_name(self):
        """The parameters by name, in declaration order (a read-only mapping)."""
        found = self._cache.get("params_by_name")
        if found is None:
            from types import MappingProxyType

            found = self._cache["params_by_name"] = MappingProxyType({p.name: p for p in self.params})
        return found

    def param(self, name):
        """The :class:`Param` called ``name``.

        Raises
        ------
        ModelError
            If ``name`` is another kind of variable, or no variable at all (with a
            did-you-mean hint among the parameters).

        Examples
        --------
        >>> import dpmkit as dk
        >>> dk.models.load("demo").param("staff_target").bounds
        (5.0, 40.0)
        """
        found = self.params_by_name.get(name) if isinstance(name, str) else None
        if found is not None:
            return found
        if not isinstance(name, str):
            raise ModelError(f"a parameter name must be text, got {name!r}")
        if name in self:
            raise ModelError(
                f"{name!r} is a {self[name].kind} of model {self.name!r}, not a parameter; only parameters can be set",
                variable=name)
        raise ModelError(
            f"model {self.name!r} has no parameter {name!r}" + _hint(name, self.params_by_name), variable=name)

    def values(self, params=None, allow_out_of_bounds=False):
        """Every parameter's value for a run: the defaults, with ``params`` checked and applied.

        Raises
        ------
        ModelError
            If ``params`` is not a mapping, names something that is not a parameter, or
            gives a value that is not a number or lies outside its bounds.

        Examples
        --------
        >>> import dpmkit as dk
        >>> dk.models.load("demo").values({"staff_target": 30})["staff_target"]
        30.0
        """
        values = self.defaults
        if params:
            if not hasattr(params, "items"):
                raise ModelError("params must be a mapping of parameter names to numbers, e.g. {'budget': 10}")
            for k, v in params.items():
                values[k] = self.param(k).check(v, allow_out_of_bounds)
        return values

    # ------------------------------------------------------------ variants
    def with_params(self, allow_out_of_bounds=False, **values):
        """A new model whose parameters default to ``values``.

        Raises ModelError for unknown names and values outside bounds.
        """
        params = {p.name: p for p in self.params}
        changed = {}
        for k, v in values.items():
            if k not in params:
                raise ModelError(
                    f"model {self.name!r} has no parameter {k!r}" + _hint(k, params), variable=k
                )
            p = params[k]
            val = p.check(v, allow_out_of_bounds)
            bounds = p.bounds
            if allow_out_of_bounds and bounds is not None:
                bounds = (min(bounds[0], val), max(bounds[1], val))
            changed[k] = replace(p, default=val, bounds=bounds)
        return self.with_variables(*changed.values()) if changed else self

    def with_variables(self, *variables):
        """A new model with ``variables`` added, or replacing those of the same name."""
        by_name = {v.name: v for v in variables}
        kept = [by_name.pop(v.name, v) for v in self.variables]
        return replace(self, variables=tuple(kept) + tuple(by_name.values()))

    def without(self, *names):
        """A new model without the named variables."""
        missing = [n for n in names if n not in self]
        if missing:
            raise ModelError(f"model {self.name!r} has no variable {missing[0]!r}" + _hint(missing[0], self.names))
        drop = set(names)
        return replace(self, variables=tuple(v for v in self.variables if v.name not in drop))

    def replace(self, **changes):
        """A new model with fields changed, e.g. ``model.replace(stop=2030)``."""
        return replace(self, **changes)

    @property
    def time(self):
        """The time grid as a numpy array."""
        import numpy as np

        n = _steps(self.start, self.stop, self.dt)
        return self.start + self.dt * np.arange(n + 1)

    def parameter_table(self):
        """A DataFrame describing every parameter: the model's parameter table, in a reader's words.

        The index is each parameter's name (the key a program types: ``table.loc["cut_fraction"]``);
        the cells are what a reader takes in. ``units`` is empty for a pure number (no
        "dimensionless", see :func:`dpmkit.words.units`); ``role`` is the DPM role in words
        ("policy lever"); ``source`` is the evidence as a reader would cite it (the registry
        entry's citation, as :func:`dpmkit.evidence.table` heads its rows) and ``status`` that
        entry's status (published, derived or assumption), so a table shows each number's
        status beside it. A parameter without a registered source has ``status`` ``""`` (or
        ``"assumption"`` when its source says so). The registry key itself stays on the
        declaration, ``model.param(name).source``, for a program to look up.

        As the evidence tables do, JupyterLab shows each row headed by the parameter's label (its
        name on hover), left-aligned with every cell in full (see ``dpmkit._text_table``).
        """
        import pandas as pd

        from . import evidence, words
        from ._text_table import TextTable

        def cited(key):
            try:
                found = evidence.get(key) if key else None
            except ModelError:
                return key or "", ("assumption" if key == "assumption" else "")
            return (found.citation, found.status) if found else ("", "")

        rows = []
        for p in self.params:
            source, status = cited(p.source)
            rows.append({
                "name": p.name,
                "label": p.label,
                "default": p.default,
                "units": words.units(p.units),
                "low": p.bounds[0] if p.bounds else None,
                "high": p.bounds[1] if p.bounds else None,
                "role": words.role(p.role) if p.role else "",
                "uncertain": p.is_uncertain,
                "source": source,
                "status": status,
                "description": p.description,
            })
        table = TextTable(pd.DataFrame(rows).set_index("name"))
        table.attrs.update(row_headings={p.name: p.label for p in self.params}, row_title="Parameter",
                           heading_column="label")
        return table

    def describe(self):
        """A DataFrame describing every variable (kind, units, role, equation), in words: a notebook
        shows it left-aligned with every cell in full, as text is read (see ``dpmkit._text_table``)."""
        import pandas as pd

        from ._text_table import TextTable

        rows = []
        for v in self.variables:
            eq = {Stock: "initial", Flow: "equation", Aux: "equation", Param: "default"}.get(type(v))
            rows.append({
                "name": v.name,
                "kind": v.kind,
                "label": v.label,
                "units": v.units,
                "role": v.role or "",
                "equation": str(getattr(v, eq)) if eq else f"{len(v.x)} points",
                "description": v.description,
            })
        return TextTable(pd.DataFrame(rows).set_index("name"))

    def dependencies(self):
        """Who influences whom: ``{variable: set of variables in its equation}``.

        Stocks depend on the flows that fill or drain them. Lookups are included as the
        variables that call them depend on them.
        """
        from .compiler import dependency_map

        return dependency_map(self)


def _hint(name, candidates):
    from .expressions import suggest

    return suggest(name, candidates)


#: Most time steps a run may have (a larger dt, or a shorter span, makes fewer).
MAX_STEPS = 10_000_000
#: How far ``(stop - start) / dt`` may be from a whole number, as a fraction of one step
#: (plus the rounding of the numbers themselves, see :func:`_check_time`).
STEP_TOLERANCE = 1e-9


def _time_setting(where, attr, val):
    """``start``, ``stop`` or ``dt`` as a float, or a ModelError naming the setting.

    A real number (int, float, numpy number, Fraction), finite; not a bool, not text.
    """
    if isinstance(val, bool) or not isinstance(val, numbers.Real):
        raise ModelError(
            f"model {where!r}: {attr} must be a finite number, not {type(val).__name__}: got {shown(val)}"
        )
    try:
        out = float(val)
    except (OverflowError, TypeError, ValueError):
        out = math.inf
    if not math.isfinite(out):
        raise ModelError(f"model {where!r}: {attr} must be a finite number, got {shown(val)}")
    return out


def _finite(value):
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _steps(start, stop, dt):
    return round((stop - start) / dt)


def _check_time(where, start, stop, dt):
    """Check finite floats ``start``, ``stop``, ``dt`` make a grid of whole steps.

    ``(stop - start) / dt`` must be within :data:`STEP_TOLERANCE` of a step of a whole
    number (plus what rounding the three numbers to floats can explain, which matters
    only when the times are large beside dt); the tolerance does not grow with the
    number of steps, which is at most :data:`MAX_STEPS`.
    """
    if not dt > 0:
        raise ModelError(f"model {where!r}: dt must be positive, got {dt:g}")
    if not stop > start:
        raise ModelError(f"model {where!r}: stop ({stop:g}) must be after start ({start:g})")
    span = stop - start
    if not math.isfinite(span):
        raise ModelError(
            f"model {where!r}: the span {start:.12g} to {stop:.12g} is too large to compute with; "
            "use a shorter span (start and stop closer together)"
        )
    n = span / dt
    if not n <= MAX_STEPS:  # also catches n = inf from a tiny dt
        raise ModelError(
            f"model {where!r}: dt={dt:.12g} over {start:.12g} to {stop:.12g} makes "
            f"{'more than 10^308' if not math.isfinite(n) else format(n, '.3g')} steps; the most a run may have "
            f"is {MAX_STEPS:,}. Use a larger dt or a shorter span."
        )
    # the times must stay distinguishable: a step must be much larger than the
    # rounding of the times themselves
    grain = math.ulp(max(abs(start), abs(stop)))
    if dt < 1024 * grain:
        raise ModelError(
            f"model {where!r}: dt={dt:.12g} is too small beside times around {max(abs(start), abs(stop)):g} "
            "(successive times would round to the same number); use a larger dt or times nearer zero"
        )
    rounding = 4 * (grain / dt + n * sys.float_info.epsilon)
    if abs(n - round(n)) > STEP_TOLERANCE + rounding:
        raise ModelError(
            f"model {where!r}: the span {start:.12g} to {stop:.12g} is not a whole number of steps of dt={dt:.12g} "
            f"({n:.10g} steps); choose stop = start + a whole number of dt"
        )
    if round(n) < 1:
        raise ModelError(f"model {where!r}: the span {start:.12g} to {stop:.12g} "
                         f"is shorter than one step of dt={dt:.12g}")


def field_names(cls):
    """Names of a declaration class's fields, for tools that copy declarations."""
    return tuple(f.name for f in fields(cls) if not f.name.startswith("_"))
