"""DPM roles as Bianchi defines them, and the check that holds every model to them.

The rules (:data:`ROLE_RULES`): **strategic resources** are stocks; **end results** are the
flows that fill or drain them (every such flow is one); **performance drivers** are
auxiliaries, measures against a benchmark or target, that influence at least one end
result; **policy levers** are parameters. The DPM chart (:mod:`dpmkit.dpm`) draws what
these rules allow, and :func:`dpmkit.xmile.read` applies the same check to files that
carry roles. This module belongs to the engine: it needs only the declarations.
"""

from __future__ import annotations

from .errors import ModelError

__all__ = ["ROLE_RULES", "role_problems", "check_roles", "roles_of", "influences", "headline"]


def influences(model):
    """``{source: set of targets}`` over stocks, flows, auxiliaries and parameters (no lookups)."""
    from .spec import Lookup

    deps = model.dependencies()
    lookups = {v.name for v in model.variables if isinstance(v, Lookup)}
    succ = {n: set() for n in model.names if n not in lookups}
    for target, sources in deps.items():
        if target in lookups:
            continue
        for s in sources:
            if s not in lookups and s != target:
                succ[s].add(target)
    return succ


def roles_of(model, roles=None):
    """Role of each variable: declared, with ``roles`` overriding (None removes one)."""
    from .spec import ROLES

    out = {v.name: v.role for v in model.variables if v.role}
    for name, role in (roles or {}).items():
        if name not in model:
            from .expressions import suggest

            raise ModelError(f"roles names {name!r}, which is not in model {model.name!r}"
                             + suggest(str(name), model.names), variable=str(name))
        if role is not None and role not in ROLES:
            raise ModelError(f"role {role!r} of {name!r} is not one of {', '.join(ROLES)}", variable=name)
        if role is None:
            out.pop(name, None)
        else:
            out[name] = role
    return out


#: The rules :func:`check_roles` applies: DPM roles as Bianchi defines them.
ROLE_RULES = (
    "a strategic resource is a stock",
    "an end result is a flow",
    "an end result fills or drains a strategic resource",
    "every flow that fills or drains a strategic resource is an end result",
    "a performance driver is an auxiliary (a measure against a benchmark or target)",
    "a performance driver influences at least one end result",
    "a policy lever is a parameter",
)


def role_problems(model, roles=None):
    """Where a model's DPM roles break the rules of a DPM chart, as plain sentences.

    The rules (:data:`ROLE_RULES`), after Bianchi: **strategic resources** are stocks;
    **end results** are the flows that fill or drain them (every such flow is one);
    **performance drivers** are auxiliaries, measures against a benchmark or target, that
    influence at least one end result; **policy levers** are parameters. Variables
    without a role are not judged.

    Parameters
    ----------
    model : Model
    roles : dict, optional
        ``{variable: role or None}`` overriding declared roles, as in :func:`structure`.

    Returns
    -------
    list of str
        One sentence per problem, naming the variable and the rule it breaks; empty when
        the roles follow the rules.

    Examples
    --------
    >>> import dpmkit as dk
    >>> dk.roles.role_problems(dk.models.load("demo"))
    []
    """
    from .spec import Aux, Flow, Model, Param, Stock

    if not isinstance(model, Model):
        raise ModelError(f"expected a dpmkit Model, got {type(model).__name__}")
    role_of = roles_of(model, roles)
    problems = []

    def say(name, rule, detail):
        problems.append(f"{name!r} breaks the rule '{rule}': {detail}")

    def a(kind):
        return ("an " if kind[0] in "aeiou" else "a ") + kind

    for name in model.names:
        v, role = model[name], role_of.get(name)
        if role == "strategic_resource" and not isinstance(v, Stock):
            say(name, ROLE_RULES[0], f"it is {a(v.kind)}, not a stock")
        elif role == "end_result":
            if not isinstance(v, Flow):
                say(name, ROLE_RULES[1], f"it is {a(v.kind)}; a level or indicator is not an end result (tag the "
                                         "flow that changes a resource instead, or give it no role)")
            else:
                ends = [s for s in (v.into, v.out_of) if s is not None]
                if not any(role_of.get(s) == "strategic_resource" for s in ends):
                    which = " or ".join(repr(s) for s in ends) or "no stock"
                    say(name, ROLE_RULES[2], f"it changes {which}, which is not tagged as a strategic resource")
        elif role == "performance_driver" and not isinstance(v, Aux):
            say(name, ROLE_RULES[4], f"it is {a(v.kind)}")
        elif role == "policy_lever" and not isinstance(v, Param):
            say(name, ROLE_RULES[6], f"it is {a(v.kind)}")
    for flow in model.flows:
        if role_of.get(flow.name) == "end_result":
            continue
        for stock in (flow.into, flow.out_of):
            if stock is not None and role_of.get(stock) == "strategic_resource":
                say(flow.name, ROLE_RULES[3],
                    f"it {'fills' if stock == flow.into else 'drains'} the strategic resource {stock!r} but is "
                    + (f"tagged {role_of[flow.name]!r}" if flow.name in role_of else "not tagged end_result"))
                break
    succ = influences(model)
    results = {n for n, r in role_of.items() if r == "end_result" and isinstance(model[n], Flow)}
    for name in model.names:
        if role_of.get(name) != "performance_driver" or not isinstance(model[name], Aux):
            continue
        seen, stack = set(), list(succ.get(name, ()))
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(succ.get(node, ()))
        if not seen & results:
            say(name, ROLE_RULES[5], "no chain of equations leads from it to an end-result flow, so it drives "
                                     "nothing in the DPM chart (give it no role, or tag the flow it drives)")
    return problems


def check_roles(model, roles=None):
    """Raise :class:`~dpmkit.ModelError` if the model's DPM roles break a rule of :data:`ROLE_RULES`.

    The message lists every problem :func:`role_problems` finds; ``err.variable`` names
    the first variable at fault. Returns the model, so calls can be chained.

    Examples
    --------
    >>> import dpmkit as dk
    >>> m = dk.Model("m", [dk.Stock("s", 1, units="people", role="end_result")])
    >>> dk.roles.check_roles(m)
    Traceback (most recent call last):
    ...
    dpmkit.errors.ModelError: model 'm': 1 DPM role problem: 's' breaks the rule 'an end result is a flow': it is a stock; a level or indicator is not an end result (tag the flow that changes a resource instead, or give it no role)
    """  # noqa: E501 - a doctest's expected output cannot be wrapped
    problems = role_problems(model, roles)
    if problems:
        first = problems[0].split("'")[1]
        raise ModelError(f"model {model.name!r}: {len(problems)} DPM role problem{'s' if len(problems) != 1 else ''}: "
                         + "; ".join(problems), variable=first)
    return model


def headline(model, n=3):
    """Up to ``n`` variables worth watching (or predicting) first, when nobody says which.

    What a ready-made model declares it is watched for (:func:`dpmkit.models.watched`), else
    the strategic resources first (levels people can picture: a waiting list, staff, trust),
    then the end results (the flows that change them), then any stock, then anything
    recorded. Charts, explorers and ballots use it for their defaults.

    Examples
    --------
    >>> import dpmkit as dk
    >>> dk.roles.headline(dk.models.load("demo"), 2)
    ['waiting_list', 'staff']
    """
    from .models import watched

    declared = list(watched(model))  # a ready-made model's own choice (Surrey: NEET)
    if declared:
        return declared[:n]
    role_of = roles_of(model)
    chosen = [s.name for s in model.stocks if role_of.get(s.name) == "strategic_resource"]
    chosen += [f.name for f in model.flows if role_of.get(f.name) == "end_result"]
    chosen = chosen or [s.name for s in model.stocks] or list(model.recorded)
    return chosen[:n]
