"""What a game is: data over a ready-made model (roles, levers, rounds, events, scoring)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import ModelError

__all__ = ["Event", "GameSpec", "Outcome", "Role", "Round"]


@dataclass(frozen=True)
class Outcome:
    """A variable a role watches: its plain range (for scores) and which way is better.

    ``source`` names the evidence registry entry of an outcome the game itself adds to the
    ready-made model (e.g. trust in the targets-or-learning game); empty for the model's own."""

    name: str
    low: float
    high: float
    higher_is_better: bool = True
    source: str = ""

    def score(self, value):
        """The value on a 0 (worst) to 1 (best) scale over the outcome's range, clipped."""
        share = (value - self.low) / (self.high - self.low)
        share = min(1.0, max(0.0, share))
        return share if self.higher_is_better else 1.0 - share


@dataclass(frozen=True)
class Role:
    """A role: the levers (model ``Param`` names) it controls, its private briefing and goals,
    the outcomes it sees and the ones it is scored on."""

    name: str
    label: str
    levers: tuple
    briefing: str
    goals: str
    sees: tuple
    scores: tuple


@dataclass(frozen=True)
class Round:
    """The simulated time a round covers (decisions take effect at ``start``) and what is
    revealed to every table after it. The values shown *at* ``start`` belong to the round
    before (they closed it), so they never change once the next round's decisions count."""

    label: str
    start: float
    end: float
    reveal: str = ""


@dataclass(frozen=True)
class Event:
    """Something the facilitator can inject: parameter changes from the start of the open round.

    A value ``"now"`` stands for the time the event takes effect (for parameters that are dates).
    """

    name: str
    label: str
    changes: dict
    note: str = ""


@dataclass(frozen=True)
class GameSpec:
    """A whole game over one ready-made model.

    ``ranges`` narrows each lever's bounds to the range the game offers; the game's model
    (:meth:`build_model`) carries those bounds, so everything that reads ``Param`` bounds
    (sliders, ballots, checks) agrees with the game. ``contexts`` are named parameter sets
    the facilitator picks when the game is created (e.g. a ready or a fragile system).
    ``outcomes`` gives every visible outcome's range and direction for scoring.
    ``sources`` names the evidence registry entry (``{parameter: key}``) of each lever, event or
    context parameter whose ready-made model says only ``source="assumption"``: the game's model
    cites it (:meth:`build_model`), so every teaching assumption a game relies on has its entry.
    ``headline`` lists the outcomes the debrief sheet draws (empty: the first three outcomes).
    """

    name: str
    label: str
    model: str
    roles: tuple
    ranges: dict
    rounds: tuple
    outcomes: tuple
    events: tuple = ()
    contexts: dict = field(default_factory=lambda: {"default": {}})
    widen: dict = field(default_factory=dict)
    description: str = ""
    adapt: object = None  # model -> model: adds what the game needs (e.g. one lever per locality)
    sources: dict = field(default_factory=dict)
    headline: tuple = ()

    @property
    def default_context(self):
        return next(iter(self.contexts))

    def role(self, name):
        for r in self.roles:
            if r.name == name:
                return r
        raise ModelError(f"the game {self.name!r} has no role {name!r}; its roles are "
                         f"{', '.join(r.name for r in self.roles)}")

    def outcome(self, name):
        for o in self.outcomes:
            if o.name == name:
                return o
        raise ModelError(f"the game {self.name!r} has no outcome {name!r}")

    def event(self, name):
        for e in self.events:
            if e.name == name:
                return e
        raise ModelError(f"the game {self.name!r} has no event {name!r}; its events are "
                         f"{', '.join(e.name for e in self.events) or 'none'}")

    @property
    def owner(self):
        """``{lever: role name}``."""
        return {lever: r.name for r in self.roles for lever in r.levers}

    def build_model(self):
        """The ready-made model with each lever's bounds narrowed to the game's range, and each
        parameter in :attr:`sources` citing its registry entry where the model said only
        ``source="assumption"`` (a parameter that names its own entry keeps it)."""
        from .. import models

        base = models.load(self.model)
        if self.adapt is not None:
            base = self.adapt(base)
        bounds = {**self.widen, **self.ranges}
        variables = []
        for v in base.variables:
            if v.name in bounds:
                low, high = bounds[v.name]
                default = min(high, max(low, v.default))
                v = replace(v, bounds=(float(low), float(high)), default=default)
            if v.name in self.sources and getattr(v, "source", None) in (None, "", "assumption"):
                v = replace(v, source=self.sources[v.name])
            variables.append(v)
        return base.replace(variables=tuple(variables), scenarios={})
