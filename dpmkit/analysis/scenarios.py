"""Scenarios: named parameter sets (and event scripts) run side by side."""

from __future__ import annotations

import numpy as np

from ..errors import ModelError
from ..simulate import ensemble, simulate
from ._common import check_model, check_param, check_variable, name_list, recorded_names

__all__ = ["compare"]

BASE = "base"
_STRUCTURED = {"params", "events"}


def _scenario_specs(model, scenarios):
    """Normalise ``scenarios`` to a list of (name, params, events)."""
    if scenarios is None:
        return [(name, model.scenario(name), None) for name in model.scenario_names]
    if isinstance(scenarios, str):
        scenarios = [scenarios]
    if hasattr(scenarios, "items"):
        items = list(scenarios.items())
    else:
        try:
            items = [(name, name) for name in name_list(scenarios, "scenarios")]
        except ModelError:
            raise ModelError(
                "scenarios must be a dict {name: {parameter: value}}, or names of the model's own scenarios "
                f"({', '.join(model.scenario_names) or 'it has none'})"
            ) from None
    param_names = model.params_by_name.keys()
    specs = []
    for name, spec in items:
        if not isinstance(name, str) or not name:
            raise ModelError(f"scenario names must be text, got {name!r}")
        if name == BASE:
            raise ModelError("'base' is the name of the base case, which compare() always includes; "
                             "give your scenario another name")
        if isinstance(spec, str):
            specs.append((name, model.scenario(spec), None))
            continue
        if spec is None:
            specs.append((name, {}, None))
            continue
        if not hasattr(spec, "items"):
            raise ModelError(
                f"scenario {name!r} must be a dict of parameter values, or {{'params': {{...}}, 'events': {{...}}}}, "
                f"got {type(spec).__name__}"
            )
        keys = set(spec)
        if keys and keys <= _STRUCTURED and not keys & param_names:
            specs.append((name, dict(spec.get("params") or {}), spec.get("events")))
        else:
            specs.append((name, dict(spec), None))
    return specs


def _merge_events(common, own):
    if not common:
        return own or None
    if not own:
        return common
    as_list = [list(e.items()) if hasattr(e, "items") else list(e) for e in (common, own)]
    return as_list[0] + as_list[1]


def _events_key(events):
    if not events:
        return ()
    try:
        items = events.items() if hasattr(events, "items") else events
        return tuple(sorted((float(t), tuple(sorted(dict(ch).items()))) for t, ch in items))
    except (TypeError, ValueError):
        return ("unique", id(events))  # the engine reports what is wrong with it


def compare(
    model,
    scenarios=None,
    *,
    params=None,
    events=None,
    names=None,
    form="long",
    method=None,
    start=None,
    stop=None,
    dt=None,
    allow_out_of_bounds=False,
):
    """Run named scenarios side by side, with the base case, into one table.

    Scenarios without their own events run together as one vectorised ensemble;
    scenarios sharing an event script run as one ensemble per script.

    Parameters
    ----------
    model : Model
    scenarios : dict, list of str or str, optional
        ``{name: {parameter: value}}``; or ``{name: {"params": {...}, "events": {...}}}``
        for parameter changes during the run (see :func:`dpmkit.simulate`); or names of
        the model's own scenarios (``model.scenario_names``), also allowed as dict
        values. Default: all of the model's own scenarios.
    params : dict, optional
        Parameter values shared by every scenario, the base case included
        (a scenario's own values win).
    events : mapping or list, optional
        Events shared by every scenario, the base case included.
    names : list of str, optional
        Variables to report (default: every stock, flow and auxiliary).
    form : {"long", "wide"}
        ``"long"``: a tidy table with columns ``scenario, time, variable, value``
        (ready for Altair). ``"wide"``: index ``time``, columns ``(variable, scenario)``.
    method, start, stop, dt, allow_out_of_bounds
        As in :func:`dpmkit.simulate`.

    Returns
    -------
    pandas.DataFrame
        The base case is always included, under the name ``"base"``, first.

    Raises
    ------
    ModelError
        For unknown scenario, parameter or variable names (the scenario is named),
        values outside bounds, and invalid events.

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.models.load("demo")
    >>> table = dk.compare(model, {"more_staff": {"staff_target": 26}}, names=["waiting_list"])
    >>> sorted(table["scenario"].unique())
    ['base', 'more_staff']
    """
    import pandas as pd

    check_model(model)
    if form not in ("long", "wide"):
        raise ModelError(f"form must be 'long' or 'wide', got {form!r}")
    specs = [(BASE, {}, None)] + _scenario_specs(model, scenarios)
    seen = set()
    for name, _, _ in specs:
        if name in seen:
            raise ModelError(f"scenario {name!r} is named twice")
        seen.add(name)
    if params is not None and not hasattr(params, "items"):
        raise ModelError("params must be a mapping of parameter names to numbers, e.g. {'budget': 10}")
    runs = []
    for name, own, own_events in specs:
        values = dict(params or {})
        values.update(own)
        for k, v in values.items():
            try:
                check_param(model, k).check(v, allow_out_of_bounds)
            except ModelError as err:
                raise ModelError(f"scenario {name!r}: {err}", variable=err.variable) from None
        runs.append((name, values, _merge_events(events, own_events)))
    report = list(recorded_names(model)) if names is None else [
        check_variable(model, n, "variable") for n in name_list(names, "names")
    ]
    groups = {}
    for k, (_, _, ev) in enumerate(runs):
        groups.setdefault(_events_key(ev), []).append(k)
    time = None
    data = [None] * len(runs)
    defaults = model.defaults
    for members in groups.values():
        ev = runs[members[0]][2]
        full = [{**defaults, **runs[k][1]} for k in members]
        varying = [p for p in defaults if len({vals[p] for vals in full}) > 1]
        fixed = {p: full[0][p] for p in defaults if p not in varying}
        if not defaults:  # a model without parameters: nothing to vectorise over
            for k in members:
                r = simulate(model, method=method, start=start, stop=stop, dt=dt, events=ev)
                time = r.time
                data[k] = np.stack([r[n] for n in report], axis=1)
            continue
        if not varying:  # the ensemble needs one sampled parameter; any, held at its value
            varying = [next(iter(defaults))]
            fixed.pop(varying[0])
        samples = {p: np.array([vals[p] for vals in full]) for p in varying}
        try:
            ens = ensemble(model, samples=samples, params=fixed, method=method, start=start, stop=stop, dt=dt,
                           events=ev, record=report, allow_out_of_bounds=allow_out_of_bounds)
        except ModelError as err:
            label = ", ".join(repr(runs[k][0]) for k in members)
            raise ModelError(f"scenario {label}: {err}", variable=err.variable, time=err.time) from None
        time = ens.time
        for j, k in enumerate(members):
            data[k] = ens.values[:, :, j]
    cube = np.stack(data, axis=0)  # (scenario, time, variable)
    scen_names = [r[0] for r in runs]
    if form == "wide":
        columns = pd.MultiIndex.from_product([report, scen_names], names=["variable", "scenario"])
        wide = cube.transpose(1, 2, 0).reshape(len(time), -1)
        return pd.DataFrame(wide, index=pd.Index(time, name="time"), columns=columns)
    n_s, n_t, n_v = cube.shape
    return pd.DataFrame({
        "scenario": np.repeat(scen_names, n_v * n_t),
        "time": np.tile(time, n_s * n_v),
        "variable": np.tile(np.repeat(report, n_t), n_s),
        "value": cube.transpose(0, 2, 1).ravel(),
    })
