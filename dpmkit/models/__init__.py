"""Ready-made models, one module each, each with ``build(**overrides) -> Model``.

>>> import dpmkit as dk
>>> "demo" in dk.models.available()
True
>>> model = dk.models.load("demo", staff_target=25)
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from ..errors import ModelError
from ..expressions import suggest

__all__ = ["available", "load", "card", "as_model", "watched", "moments"]


def _discover():
    """Every public module of this package is a ready-made model named after it."""
    return {info.name: info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")}


#: Registry: model name -> module (inside dpmkit.models) that builds it.
_REGISTRY = _discover()


def available():
    """Names of the ready-made models, sorted."""
    return sorted(_REGISTRY)


def _module(name):
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ModelError(
            f"no ready-made model called {name!r}" + suggest(str(name), _REGISTRY)
            + f". Available: {', '.join(available())}"
        )
    return importlib.import_module(f".{_REGISTRY[name]}", __name__)


def watched(model):
    """What a ready-made model declares worth watching and predicting first, when nobody says
    which: its module's ``WATCH``, ``{variable: [times]}`` (Surrey: NEET at the end of March 2014,
    as the half-day plan asks), or ``{}`` for any other model. The room's explorer charts these
    variables and its ballot asks for them at these times (:func:`dpmkit.roles.headline`,
    :func:`dpmkit.workshop.prediction_spec`). Only variables and times the model has are kept.

    >>> watched(load("surrey"))
    {'neet': [2014.25]}
    >>> watched(load("demo"))
    {}
    """
    kept = {}
    for variable, times in _declared(model, "WATCH").items():
        times = [float(t) for t in times if model.start <= t <= model.stop]
        if variable in model.recorded and times:
            kept[variable] = times
    return kept


def moments(model):
    """The moments a ready-made model declares worth comparing: its module's ``MOMENTS``, a dict
    label -> time or a list of times, as declared (``{}`` for any other model). The explorer's
    summary and the room's questions word them (:func:`dpmkit.workshop.declared_moments`).

    >>> moments(load("surrey"))["End of March 2014"]
    2014.25
    >>> moments(load("demo"))
    {}
    """
    return _declared(model, "MOMENTS")


def _declared(model, what):
    """A ready-made model's module-level declaration ``what`` (``WATCH``, ``MOMENTS``), or ``{}``
    for a model the kit did not make (or one that declares nothing)."""
    name = getattr(model, "name", None)
    if not isinstance(name, str) or name not in _REGISTRY:
        return {}
    return getattr(_module(name), what, None) or {}


def load(name, **overrides):
    """Build the ready-made model ``name``, with parameter defaults overridden.

    Raises ModelError for an unknown model or parameter, or a value outside bounds.
    """
    return _module(name).build(**overrides)


class Card(str):
    """A model card: text (``print`` shows it as written) that a notebook shows as a formatted page.

    Shown as a cell's result, the card's title and section names are bold, ````names```` code
    and ``**words**`` bold, instead of a printed docstring full of backticks; cross-references such
    as ``:func:`build``` read as the name alone.
    """

    def _repr_markdown_(self):
        title, _, body = str(self).strip().partition("\n")
        body = re.sub(r":[a-z]+:`~?([^`]+)`", r"``\1``", body)
        # a section's underlined name in bold, not a heading: the lesson's own headings stay its outline
        body = re.sub(r"^(\S[^\n]*)\n-{3,}[ \t]*$", r"**\1**\n", body, flags=re.MULTILINE)
        return f"**{title.strip()}**\n{body}"


def card(name):
    """The model card (the module's documentation) of a ready-made model.

    It is text (a ``str``): ``print(dk.models.card("surrey"))`` prints it as written; as the
    last line of a notebook cell it shows as a formatted page (see :class:`Card`).
    """
    return Card(_module(name).__doc__)


def as_model(model):
    """``model`` itself if it is a :class:`~dpmkit.Model`, or the ready-made model of that name.

    Every function of the kit that takes "a model or the name of a ready-made model" uses this.

    >>> as_model("demo").name
    'demo'
    """
    from ..spec import Model

    if isinstance(model, Model):
        return model
    if isinstance(model, str):
        return load(model)
    raise ModelError(f"expected a dpmkit Model or the name of a ready-made model, got {type(model).__name__}")
