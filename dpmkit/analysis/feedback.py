"""Feedback loops: find them, give them a polarity, knock them out, see which dominates.

How loops are found
    The dependency graph (``model.dependencies()``: an equation's inputs point to it;
    a stock's flows point to the stock) is searched for every elementary cycle with
    Johnson's algorithm (1975), written here to avoid a graph-library dependency and
    capped at ``max_loops``. Every cycle passes through a stock or a SMTH/DELAY
    (a cycle without one is an algebraic loop, which the compiler refuses).

How link polarity is found
    A flow into a stock is a positive link, a flow out of a stock a negative one. For
    any other link ``x -> y``, the equation of ``y`` is probed numerically: at states
    sampled from a few runs (the defaults, and the uncertain parameters at both ends
    of their ranges, at eleven times), ``x`` is swept across (and beyond) the range it
    takes while everything else in ``y``'s equation stays at that state. If ``y`` never
    falls as ``x`` rises the link is positive; if it never rises, negative; if it does
    both, its sign depends on the state and the loop's polarity is "undetermined".
    Sweeping a range, rather than taking one tiny derivative, also finds the sign of
    links through MIN, MAX and IF that bind only in some states.

A loop is **reinforcing** when the product of its link signs is positive and
**balancing** when it is negative.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np

from .._graphs import strongly_connected
from ..errors import ModelError
from ..expressions import parse, suggest, unparse
from ..simulate import ensemble, simulate
from ..spec import Flow, Param, Stock
from ._common import check_model, recorded_names
from ._evaluate import Evaluator, uses_state_builtin

__all__ = ["loops", "loop_knockout", "loop_dominance", "Loop", "LoopSet", "elementary_cycles"]

_ARROW = " → "
_POLARITY_WORD = {"+": "reinforcing", "-": "balancing", "?": "undetermined"}


def elementary_cycles(nodes, succ, limit=None):
    """All elementary cycles of a directed graph (Johnson 1975), at most ``limit``.

    Parameters
    ----------
    nodes : sequence
        The vertices; their order fixes the order in which cycles are found.
    succ : dict
        ``{node: iterable of successors}``.
    limit : int, optional
        Stop after this many cycles.

    Returns
    -------
    (cycles, capped)
        ``cycles`` is a list of lists, each starting at its earliest node in ``nodes``
        order and following the edges; ``capped`` is True if the limit was reached.

    Examples
    --------
    >>> elementary_cycles(["a", "b", "c"], {"a": ["b"], "b": ["a", "c"], "c": ["a"]})
    ([['a', 'b'], ['a', 'b', 'c']], False)
    """
    order = {n: i for i, n in enumerate(nodes)}
    graph = {n: sorted({w for w in succ.get(n, ()) if w in order}, key=order.get) for n in nodes}
    cycles = []

    def full():
        return limit is not None and len(cycles) >= limit

    for n in nodes:
        if n in graph[n]:
            cycles.append([n])
            if full():
                return cycles, True
    graph = {n: [w for w in graph[n] if w != n] for n in nodes}
    i = 0
    while i < len(nodes):
        rest = nodes[i:]
        keep = set(rest)
        sub = {n: [w for w in graph[n] if w in keep] for n in rest}
        comps = [c for c in strongly_connected(rest, sub) if len(c) > 1]
        if not comps:
            break
        comp = min(comps, key=lambda c: min(order[x] for x in c))
        s = min(comp, key=order.get)
        members = set(comp)
        G = {n: [w for w in sub[n] if w in members] for n in comp}
        found = []
        for cyc in _circuits(s, G):
            found.append(cyc)
            cycles.append(cyc)
            if full():
                break
        cycles_sorted = sorted(found, key=lambda c: [order[x] for x in c])
        cycles[len(cycles) - len(found):] = cycles_sorted
        if full():
            return cycles, True
        i = order[s] + 1
    return cycles, False


def _circuits(s, G):
    """Johnson's circuit search from ``s`` in the component ``G`` (iterative)."""
    path = [s]
    blocked = {s}
    B = defaultdict(set)
    closed = set()
    stack = [(s, list(reversed(G[s])))]
    while stack:
        v, nbrs = stack[-1]
        if nbrs:
            w = nbrs.pop()
            if w == s:
                yield path[:]
                closed.update(path)
            elif w not in blocked:
                path.append(w)
                stack.append((w, list(reversed(G[w]))))
                closed.discard(w)
                blocked.add(w)
                continue
        if not nbrs:
            if v in closed:
                todo = {v}
                while todo:
                    u = todo.pop()
                    if u in blocked:
                        blocked.discard(u)
                        todo.update(B[u])
                        B[u].clear()
            else:
                for w in G[v]:
                    B[w].add(v)
            stack.pop()
            path.pop()


@dataclass(frozen=True)
class Loop:
    """One feedback loop.

    Attributes
    ----------
    id : str
        ``R1, R2, ...`` for reinforcing loops, ``B1, ...`` for balancing ones and
        ``U1, ...`` for loops whose polarity depends on the state.
    members : tuple of str
        Variables in causal order, starting at a stock; the last links back to the first.
    links : tuple of (source, target, sign)
        Each link with its sign: ``"+"``, ``"-"``, or ``"?"`` (depends on the state).
    polarity : str
        ``"reinforcing"``, ``"balancing"`` or ``"undetermined"``.
    name : str or None
        Plain-language name, when one was given.
    """

    id: str
    members: tuple
    links: tuple
    polarity: str
    name: str = None
    stocks: tuple = field(default=())

    @property
    def label(self):
        """The name if there is one, else the id."""
        return self.name or self.id

    @property
    def path(self):
        """Members as an arrow path that returns to the start."""
        return _ARROW.join(self.members + self.members[:1])

    def __str__(self):
        named = f" {self.name!r}" if self.name else ""
        return f"{self.id}{named} ({self.polarity}): {self.path}"


class LoopSet(list):
    """The loops of a model: a list of :class:`Loop` with a table view.

    ``loops["R1"]`` or ``loops["burnout"]`` picks a loop by id or name.
    Attributes: ``capped`` (True if the search stopped at ``max_loops``), ``model``.
    """

    def __init__(self, items, model, capped=False, limit=None):
        super().__init__(items)
        self.model = model
        self.capped = capped
        self.limit = limit

    def __getitem__(self, key):
        if isinstance(key, str):
            for lp in self:
                if lp.id == key or lp.name == key:
                    return lp
            labels = [lp.id for lp in self] + [lp.name for lp in self if lp.name]
            raise ModelError(f"no loop {key!r} in model {self.model.name!r}" + suggest(key, labels)
                             + f"; loops: {', '.join(labels) or 'none'}")
        return super().__getitem__(key)

    def in_words(self, loop):
        """A loop's path as a reader follows it, each variable by its label and the first letter of
        every later one lower-cased, back to the start: "Waiting list → capacity managers want →
        change in capacity → capacity → people seen → waiting list". (``loop.path`` keeps the
        names a program types.)"""
        from .. import words

        loop = self[loop] if isinstance(loop, str) else loop
        labels = [self.model[m].label for m in loop.members + loop.members[:1]]
        return _ARROW.join(labels[:1] + [words.lower_first(label) for label in labels[1:]])

    def to_frame(self):
        """A table: ``id, name, polarity, length, stocks, path``, in a reader's words: ``stocks`` by
        their labels and ``path`` as :meth:`in_words` says it. A program reads each loop's
        ``members`` (names) from the :class:`Loop` itself."""
        import pandas as pd

        return pd.DataFrame([{
            "id": lp.id, "name": lp.name or "", "polarity": lp.polarity, "length": len(lp.members),
            "stocks": ", ".join(self.model[s].label for s in lp.stocks), "path": self.in_words(lp),
        } for lp in self], columns=["id", "name", "polarity", "length", "stocks", "path"])

    def __repr__(self):
        head = f"{len(self)} feedback loop(s) in {self.model.name!r}"
        if self.capped:
            head += (f" — the search stopped at max_loops={self.limit}; the model has more loops "
                     "(raise max_loops to see them all)")
        return "\n".join([head] + [f"  {lp}" for lp in self])

    def _repr_html_(self):
        note = "" if not self.capped else f"<p>The search stopped at max_loops={self.limit}; there are more.</p>"
        return note + self.to_frame().to_html(index=False)


def _graph(model):
    nodes = list(recorded_names(model))
    deps = model.dependencies()
    known = set(nodes)
    succ = {n: set() for n in nodes}
    for target in nodes:
        for source in deps.get(target, ()):
            if source in known:
                succ[source].add(target)
    return nodes, succ


def _states(model, params):
    """States (every variable and parameter) sampled from a few runs, as arrays."""
    values = {**model.defaults, **(params or {})}
    unc = [p for p in model.uncertainties if p.name not in (params or {})]
    runs = None
    if model.params:
        if unc:
            samples = {p.name: np.array([values[p.name], p.uncertainty[0], p.uncertainty[1]]) for p in unc}
        else:
            first = model.params[0].name
            samples = {first: np.array([values[first]])}
        fixed = {k: v for k, v in (params or {}).items() if k not in samples}
        try:
            runs = ensemble(model, samples=samples, params=fixed)
        except ModelError:
            runs = None  # an extreme of the ranges fails; the default run alone will do
    if runs is None:
        r = simulate(model, params)
        names, values_t, time = r.names, r.values[:, :, None], r.time
        par = {k: np.array([v]) for k, v in r.params.items()}
    else:
        names, values_t, time = runs.names, runs.values, runs.time
        par = {k: np.asarray(runs[k][0], dtype=float) for k in values}
    picks = np.unique(np.linspace(0, len(time) - 1, 11).round().astype(int))
    env = {}
    k_runs = values_t.shape[2]
    for j, name in enumerate(names):
        env[name] = values_t[picks, j, :].ravel()
    for name, v in par.items():
        env[name] = np.repeat(np.broadcast_to(v, (k_runs,))[None, :], len(picks), axis=0).ravel()
    t = np.repeat(time[picks][:, None], k_runs, axis=1).ravel()
    return env, t


def _link_sign(model, source, target, env, t):
    decl = model[target]
    if isinstance(decl, Stock):
        flow = model[source]
        return "+" if flow.into == target else "-"
    tree = parse(decl.equation, target)
    x = env[source]
    lo, hi = float(np.min(x)), float(np.max(x))
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    g_lo, g_hi = lo - 0.5 * span, hi + 0.5 * span
    if lo >= 0:
        g_lo = max(g_lo, 0.0)
    grid = np.unique(np.concatenate([np.linspace(g_lo, g_hi, 41), x]))
    swept = {k: v[None, :] for k, v in env.items()}
    swept[source] = np.broadcast_to(grid[:, None], (len(grid), len(x)))
    f = Evaluator(model, swept, t[None, :], base=env)(tree)
    if getattr(decl, "non_negative", False):
        f = np.maximum(f, 0.0)
    f = np.broadcast_to(f, (len(grid), len(x)))
    d = np.diff(f, axis=0)
    ok = np.isfinite(d)
    scale = np.nanmax(np.abs(np.where(np.isfinite(f), f, np.nan))) if np.isfinite(f).any() else 1.0
    tol = 1e-9 * max(scale, 1e-300)
    pos = bool(np.any(ok & (d > tol)))
    neg = bool(np.any(ok & (d < -tol)))
    if not neg:  # never falls as the source rises (including a link inactive in every sampled state)
        return "+"
    if not pos:
        return "-"
    return "?"


def _name_index(model, names):
    if names is None:
        return {}
    if not hasattr(names, "items"):
        raise ModelError("names must be a dict {frozenset of member variables: 'plain-language name'}")
    out = {}
    for key, label in names.items():
        if isinstance(key, str):
            raise ModelError(f"the key for loop name {label!r} must be the set of the loop's variables, "
                             f"e.g. frozenset({{'staff', 'leavers'}}), not the text {key!r}")
        try:
            members = frozenset(key)
        except TypeError:
            raise ModelError(f"the key for loop name {label!r} must be a set of variable names") from None
        for m in members:
            if m not in model:
                raise ModelError(f"loop name {label!r} mentions {m!r}, which is not a variable of {model.name!r}"
                                 + suggest(str(m), model.names), variable=str(m))
        if not isinstance(label, str) or not label:
            raise ModelError(f"loop names must be text, got {label!r}")
        out[members] = label
    return out


def loops(model, *, names=None, params=None, max_loops=500):
    """The feedback loops of a model, each with its members and polarity.

    Parameters
    ----------
    model : Model
    names : dict, optional
        Plain-language names, ``{frozenset(member variables): "name"}``; a key must be
        exactly the set of a loop's members (a ModelError lists the loops otherwise).
    params : dict, optional
        Parameter values for the runs that sample states to probe link polarity.
    max_loops : int
        Stop the search after this many loops (``.capped`` then says so).

    Returns
    -------
    LoopSet
        A list of :class:`Loop` (shortest first), with ``.to_frame()``.

    Examples
    --------
    >>> import dpmkit as dk
    >>> found = dk.loops(dk.models.load("demo"))
    >>> found[0].polarity in ("reinforcing", "balancing", "undetermined")
    True
    """
    check_model(model)
    if isinstance(max_loops, bool) or not isinstance(max_loops, int) or max_loops < 1:
        raise ModelError(f"max_loops must be a positive whole number, got {max_loops!r}")
    if params is not None and not hasattr(params, "items"):
        raise ModelError("params must be a mapping of parameter names to values")
    labels = _name_index(model, names)
    nodes, succ = _graph(model)
    cycles, capped = elementary_cycles(nodes, succ, max_loops)
    stock_names = {s.name for s in model.stocks}
    order = {n: i for i, n in enumerate(nodes)}
    env = t = None
    signs = {}
    found = []
    for cyc in cycles:
        stocks_in = [m for m in cyc if m in stock_names]
        first = min(stocks_in, key=order.get) if stocks_in else cyc[0]
        k = cyc.index(first)
        members = tuple(cyc[k:] + cyc[:k])
        links = []
        for a, b in zip(members, members[1:] + members[:1]):
            if (a, b) not in signs:
                if env is None and not isinstance(model[b], Stock):
                    env, t = _states(model, params)
                signs[(a, b)] = _link_sign(model, a, b, env, t)
            links.append((a, b, signs[(a, b)]))
        if any(s == "?" for _, _, s in links):
            pol = "?"
        else:
            pol = "-" if sum(s == "-" for _, _, s in links) % 2 else "+"
        found.append((members, tuple(links), pol, tuple(m for m in members if m in stock_names)))
    found.sort(key=lambda f: (len(f[0]), [order[m] for m in f[0]]))
    counters = {"+": 0, "-": 0, "?": 0}
    prefix = {"+": "R", "-": "B", "?": "U"}
    result = []
    used = set()
    for members, links, pol, stocks in found:
        counters[pol] += 1
        key = frozenset(members)
        name = labels.get(key)
        if name is not None:
            used.add(key)
        result.append(Loop(f"{prefix[pol]}{counters[pol]}", members, links, _POLARITY_WORD[pol], name, stocks))
    unused = [labels[k] for k in labels if k not in used]
    if unused and not capped:
        raise ModelError(
            f"no loop has exactly the members named for {unused[0]!r}; the loops are:\n  "
            + "\n  ".join(f"{lp.id}: {{{', '.join(sorted(lp.members))}}}" for lp in result)
        )
    return LoopSet(result, model, capped, max_loops)


def _resolve_loop(model, loop, names, max_loops, params):
    found = loops(model, names=names, params=params, max_loops=max_loops)
    if isinstance(loop, Loop):
        for lp in found:
            if lp.members == loop.members or frozenset(lp.members) == frozenset(loop.members):
                return lp, found
        raise ModelError(f"loop {loop.id} is not a loop of model {model.name!r}")
    if isinstance(loop, str):
        return found[loop], found
    try:
        key = frozenset(loop)
    except TypeError:
        raise ModelError(f"loop must be a Loop, its id (e.g. 'R1'), its name, or its set of members, got {loop!r}") \
            from None
    for lp in found:
        if frozenset(lp.members) == key:
            return lp, found
    raise ModelError(f"no loop of {model.name!r} has exactly the members {sorted(key)}")


def _held_name(model, base):
    name, k = f"{base}_held", 2
    while name in model:
        name, k = f"{base}_held{k}", k + 1
    return name


def _cut(model, source, target, value):
    """A copy of ``model`` in which ``target`` sees ``source`` held at ``value``."""
    held = _held_name(model, source)
    src = model[source]
    tgt = model[target]
    extra = [Param(held, value, units=src.units, label=f"{src.label} (held)",
                   description=f"{source} held at its initial value for {target}")]
    if isinstance(tgt, Stock):
        # The stock keeps receiving (or losing) the flow, at its initial rate.
        flow = src
        cut_flow = replace(flow, into=None if flow.into == target else flow.into,
                           out_of=None if flow.out_of == target else flow.out_of)
        held_flow_name = _held_name(model, f"{source}_flow")
        held_flow = Flow(held_flow_name, held, units=flow.units,
                         into=target if flow.into == target else None,
                         out_of=target if flow.out_of == target else None,
                         label=f"{flow.label} (held)", description=f"{source} held at its initial value")
        return model.with_variables(cut_flow, *extra, held_flow), held
    tree = parse(tgt.equation, target)
    text = unparse(tree, rename=lambda s: held if s == source else s)
    return model.with_variables(replace(tgt, equation=text), *extra), held


class Knockout:
    """The outcome of :func:`loop_knockout`.

    Attributes
    ----------
    loop : Loop
    link : (source, target)
        The link cut: ``target`` sees ``source`` held at ``value``.
    value : float
    also_cut : list of Loop
        Other loops through the same link, switched off too.
    base, knocked_out : Result
        The run with all loops, and the run with the link cut.
    frame : pandas.DataFrame
        Tidy ``scenario, time, variable, value`` with scenarios ``"base"`` and ``"knocked_out"``.
    model : Model
        The model with the link cut.
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def effect(self, name, at=None):
        """``(base value, knocked-out value)`` of ``name`` at time ``at`` (default: the end)."""
        if at is None:
            return self.base.final(name), self.knocked_out.final(name)
        return self.base.at(at, name), self.knocked_out.at(at, name)

    def summary(self):
        src, tgt = self.link
        lines = [
            f"Knock-out of {self.loop}",
            f"cut: {tgt} now sees {src} held at its initial value {self.value:.4g}",
        ]
        if self.also_cut:
            lines.append("this also switches off: " + "; ".join(str(lp) for lp in self.also_cut))
        end = self.base.time[-1]
        for name in self.loop.stocks or self.loop.members[:1]:
            b, k = self.effect(name)
            change = f" ({(k - b) / abs(b):+.0%})" if b else ""
            lines.append(f"at {end:g}, {name} is {k:.4g} without the loop, {b:.4g} with it{change}")
        return "\n".join(lines)

    def __repr__(self):
        return self.summary()


def loop_knockout(model, loop, *, link=None, names=None, params=None, integration=None, max_loops=500):
    """Switch a feedback loop off by cutting one of its links, and compare the runs.

    The cut link ``source -> target`` is replaced by a constant: ``target``'s equation
    reads ``source`` held at its initial value (the value in the base run at the start
    time), so changes in ``source`` no longer reach ``target`` along this link. If the
    link is a flow into or out of a stock, the stock receives (or loses) the flow at its
    initial rate.

    Parameters
    ----------
    model : Model
    loop : Loop, str or set of str
        The loop: from :func:`loops`, its id (``"R1"``), its name, or its members.
    link : (str, str), optional
        The link to cut; it must be a link of the loop. Default: the link shared with the
        fewest other loops (preferring links into auxiliaries and flows), so the
        knock-out is as specific as possible.
    names : dict, optional
        Loop names, as in :func:`loops`.
    params : dict, optional
        Parameter values for both runs.
    integration : {"euler", "rk4"}, optional

    Returns
    -------
    Knockout
        ``.base``, ``.knocked_out`` (Results), ``.frame`` (tidy), ``.also_cut``, ``.summary()``.

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.models.load("demo")
    >>> ko = dk.loop_knockout(model, dk.loops(model)[0])
    >>> ko.knocked_out.final("waiting_list") >= 0
    True
    """
    import pandas as pd

    check_model(model)
    lp, found = _resolve_loop(model, loop, names, max_loops, params)
    pairs = [(a, b) for a, b, _ in lp.links]
    sharing = {pair: [other for other in found if other is not lp and pair in [(a, b) for a, b, _ in other.links]]
               for pair in pairs}
    if link is None:
        link = min(pairs, key=lambda pr: (len(sharing[pr]), isinstance(model[pr[1]], Stock), pairs.index(pr)))
    else:
        try:
            link = (link[0], link[1])
        except (TypeError, IndexError, KeyError):
            raise ModelError(f"link must be a pair (source, target), got {link!r}") from None
        if link not in pairs:
            raise ModelError(
                f"{link[0]} → {link[1]} is not a link of loop {lp.id}; its links are: "
                + ", ".join(f"{a} → {b}" for a, b in pairs)
            )
    base = simulate(model, params, method=integration)
    value = float(base[link[0]][0])
    cut_model, _ = _cut(model, link[0], link[1], value)
    knocked = simulate(cut_model, params, method=integration)
    names_out = list(base.names)
    frame = pd.concat([
        base.to_long(names_out).assign(scenario="base"),
        knocked.to_long(names_out).assign(scenario="knocked_out"),
    ], ignore_index=True)[["scenario", "time", "variable", "value"]]
    return Knockout(loop=lp, link=link, value=value, also_cut=sharing[link], base=base, knocked_out=knocked,
                    frame=frame, model=cut_model)


class Dominance:
    """The outcome of :func:`loop_dominance`.

    Attributes
    ----------
    scores : pandas.DataFrame
        Tidy ``time, loop, polarity, score, relative``: the loop score (product of its
        link scores) and its share of all loops' scores, signed (+ reinforcing,
        - balancing).
    periods : pandas.DataFrame
        ``start, end, loop, polarity``: when each loop dominates (largest share).
    loops : LoopSet
    notes : list of str
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def story(self):
        """Which loop dominates when, in plain language."""
        if self.periods.empty:
            return "No loop could be scored in this run: " + "; ".join(self.notes or ["nothing changes"])
        from ..words import stretch

        model = self.model
        lines = []
        for k, row in self.periods.iterrows():
            lp = self.loops[row["loop"]]
            what = f"the {lp.polarity} loop {lp.id}" + (f" ({lp.name!r})" if lp.name else "")
            stocks = f", through {', '.join(lp.stocks)}" if lp.stocks else ""
            when = stretch(row["start"], row["end"], model.time_units, model.start, model.stop)
            when = when[0].upper() + when[1:]  # "From the start to about year 0.6", as a person says it
            lines.append(f"{when}, {what} {'dominates' if k == 0 else 'takes over'}{stocks}.")
        return " ".join(lines + [f"({n})" for n in self.notes])

    def __repr__(self):
        return self.story()

    def periods_among(self, loop_ids):
        """``.periods`` with only the loops ``loop_ids`` in the running: when each of them has
        the largest share of all loops' scores among them (the shares stay those of
        ``.scores``). Lets a reader set aside the loops of a stock and its own flow, which
        often score highest and say only that a stock fills or drains at its own pace.

        Examples
        --------
        >>> import dpmkit as dk
        >>> d = dk.loop_dominance(dk.models.load("demo"))
        >>> sorted(set(d.periods_among(["R1", "R2"])["loop"]))
        ['R1', 'R2']
        """
        wanted = [i for i in dict.fromkeys(loop_ids) if i in set(self.scores["loop"])]
        time = np.r_[self.model.start, np.sort(self.scores["time"].unique())] if wanted else np.array([0.0])
        rel = (np.vstack([self.scores.loc[self.scores["loop"] == i, "relative"].to_numpy() for i in wanted])
               if wanted else np.zeros((0, 0)))
        polarity = {lp.id: lp.polarity for lp in self.loops}
        return _leading(time, wanted, rel, polarity, getattr(self, "min_duration", 0.0))


def _merge_periods(periods, min_duration):
    """Join runs of the same loop, and fold periods shorter than ``min_duration`` into
    the one before (or after, at the start), shortest first, so the account is readable."""
    periods = [dict(p) for p in periods]

    def join():
        out = []
        for p in periods:
            if out and out[-1]["loop"] == p["loop"]:
                out[-1]["end"] = p["end"]
            else:
                out.append(p)
        return out

    periods = join()
    while len(periods) > 1:
        k = min(range(len(periods)), key=lambda i: periods[i]["end"] - periods[i]["start"])
        if periods[k]["end"] - periods[k]["start"] >= min_duration:
            break
        if k == 0:
            periods[1]["start"] = periods[0]["start"]
        else:
            periods[k - 1]["end"] = periods[k]["end"]
        del periods[k]
        periods = join()
    return periods


def loop_dominance(model, *, names=None, params=None, integration=None, max_loops=500, min_duration=None):
    """Which feedback loop drives the behaviour when: loop scores over time.

    The "Loops that Matter" method (Schoenberg, Eberlein and Hines 2020, used by
    Stella): at each step, the *link score* of ``x -> y`` is the part of the change in
    ``y`` caused by the change in ``x`` alone, divided by the whole change in ``y``,
    signed by the direction of the effect; for a flow into or out of a stock it is the
    change in the flow over the change in the stock's net flow (signed + for inflows,
    - for outflows). A loop's score is the product of its link scores; its *relative
    score* is its share of the sum of all loops' absolute scores. The loop with the
    largest share dominates.

    Parameters
    ----------
    model : Model
    names, params, integration, max_loops
        As in :func:`loops` and :func:`dpmkit.simulate`.
    min_duration : float, optional
        Shortest period reported in ``.periods`` and the story; a briefer spell of
        dominance is folded into its neighbour (default: a twentieth of the run).
        ``.scores`` keeps every step.

    Returns
    -------
    Dominance
        ``.scores`` (tidy), ``.periods``, ``.story()``.

    Notes
    -----
    Loops through a SMTH or DELAY written inside an equation are left out (their hidden
    stocks are not separated out here), and a note says so.

    Examples
    --------
    >>> import dpmkit as dk
    >>> d = dk.loop_dominance(dk.models.load("demo"))
    >>> set(d.scores.columns) == {"time", "loop", "polarity", "score", "relative"}
    True
    """
    import pandas as pd

    check_model(model)
    if min_duration is None:
        min_duration = (model.stop - model.start) / 20
    elif isinstance(min_duration, bool) or not isinstance(min_duration, (int, float)) or min_duration < 0:
        raise ModelError(f"min_duration must be a time span of 0 or more, got {min_duration!r}")
    found = loops(model, names=names, params=params, max_loops=max_loops)
    run = simulate(model, params, method=integration)
    time = run.time
    env_prev = {n: run[n][:-1] for n in run.names}
    env_now = {n: run[n][1:] for n in run.names}
    for k, v in run.params.items():
        env_prev[k] = env_now[k] = np.full(len(time) - 1, v)
    notes = []
    link_cache = {}
    skipped = []

    def link_score(a, b):
        if (a, b) in link_cache:
            return link_cache[(a, b)]
        decl = model[b]
        with np.errstate(all="ignore"):
            if isinstance(decl, Stock):
                net = sum(run[f.name] for f in model.inflows(b)) - sum(run[f.name] for f in model.outflows(b))
                d_net = np.diff(net)
                d_flow = np.diff(run[a])
                sign = 1.0 if model[a].into == b else -1.0
                score = np.where(d_net != 0, np.abs(d_flow / np.where(d_net != 0, d_net, 1.0)), 0.0) * sign
            else:
                tree = parse(decl.equation, b)
                if uses_state_builtin(tree):
                    link_cache[(a, b)] = None
                    return None
                env = dict(env_prev)
                env[a] = env_now[a]
                partial = Evaluator(model, env, time[:-1], base=env_prev)(tree)
                if getattr(decl, "non_negative", False):
                    partial = np.maximum(partial, 0.0)
                d_part = partial - env_prev[b]
                d_y = env_now[b] - env_prev[b]
                d_x = env_now[a] - env_prev[a]
                ok = (d_y != 0) & (d_x != 0)
                score = np.where(ok, np.abs(d_part / np.where(ok, d_y, 1.0)) * np.sign(d_part * d_x), 0.0)
        link_cache[(a, b)] = score
        return score

    rows = {}
    for lp in found:
        product = np.ones(len(time) - 1)
        for a, b, _ in lp.links:
            s = link_score(a, b)
            if s is None:
                product = None
                break
            product = product * s
        if product is None:
            skipped.append(lp.id)
            continue
        rows[lp.id] = product
    if skipped:
        shown = ", ".join(skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        notes.append(f"{'loop' if len(skipped) == 1 else f'{len(skipped)} loops'} ({shown}) pass"
                     f"{'es' if len(skipped) == 1 else ''} through a smoothing or delay function (SMTH, DELAY) "
                     "inside an equation, which loop scores cannot follow, so they are not scored")
    if found.capped:
        notes.append(f"only the first {found.limit} loops were found and scored")
    if not rows:
        empty = pd.DataFrame(columns=["time", "loop", "polarity", "score", "relative"])
        return Dominance(scores=empty, periods=pd.DataFrame(columns=["start", "end", "loop", "polarity"]),
                         loops=found, notes=notes or ["the model has no feedback loops"], model=model)
    ids = list(rows)
    S = np.vstack([rows[i] for i in ids])
    total = np.abs(S).sum(axis=0)
    rel = np.where(total > 0, S / np.where(total > 0, total, 1.0), 0.0)
    polarity = {lp.id: lp.polarity for lp in found}
    t = time[1:]
    scores = pd.DataFrame({
        "time": np.tile(t, len(ids)), "loop": np.repeat(ids, len(t)),
        "polarity": np.repeat([polarity[i] for i in ids], len(t)), "score": S.ravel(), "relative": rel.ravel(),
    })
    return Dominance(scores=scores, periods=_leading(time, ids, rel, polarity, min_duration),
                     loops=found, notes=notes, model=model, min_duration=min_duration)


def _leading(time, ids, rel, polarity, min_duration):
    """The periods in which each loop of ``ids`` has the largest share (``rel``, one row per
    loop, one column per step after the first), merged by :func:`_merge_periods`."""
    import pandas as pd

    t = time[1:]
    periods = []
    some = np.abs(rel).sum(axis=0) > 0 if len(ids) else np.zeros(len(t), dtype=bool)
    leader = np.where(some, np.argmax(np.abs(rel), axis=0), -1) if len(ids) else np.full(len(t), -1)
    start = 0
    for k in range(1, len(t) + 1):
        if k == len(t) or leader[k] != leader[start]:
            if leader[start] >= 0:
                i = ids[leader[start]]
                periods.append({"start": float(time[start]), "end": float(t[k - 1]), "loop": i,
                                "polarity": polarity[i]})
            start = k
    merged = _merge_periods(periods, min_duration)
    return pd.DataFrame(merged, columns=["start", "end", "loop", "polarity"])
