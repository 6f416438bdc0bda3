"""The evidence registry: where every real-world number in the kit comes from.

Each entry is a :class:`Source` with a citation, a URL, what it says, and a status:

- ``published``: stated in the cited source;
- ``derived``: computed from published figures (the arithmetic is recorded);
- ``assumption``: a teaching range chosen for the kit, not evidence.

Entries live in the submodules of this package (one per topic, each defining a tuple
``SOURCES``) and are gathered here. A model parameter names its entry in
``Param(source=key)``; a teaching assumption without an entry says
``source="assumption"``. Where sources disagree, each gets its own entry and names the
others in ``disagrees_with``.

>>> import dpmkit as dk
>>> dk.evidence.get("assumption").status
'assumption'
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field

from ..errors import ModelError
from ..expressions import suggest

__all__ = ["Source", "STATUSES", "ASSUMPTION", "get", "all_sources", "table", "cite", "status_of"]

STATUSES = ("published", "derived", "assumption")
#: The key a Param uses for a teaching assumption that has no registry entry of its own.
ASSUMPTION = "assumption"


@dataclass(frozen=True)
class Source:
    """One piece of evidence (or a declared assumption).

    Parameters
    ----------
    key : str
        Short stable identifier, e.g. ``"surrey_neet_2009"``.
    citation : str
        Author(s), year, title, publisher or journal.
    status : {"published", "derived", "assumption"}
    says : str
        What the source says that the kit relies on (the figure, with its definition).
    url : str
    arithmetic : str
        For ``derived`` entries: how the number was computed from which entries.
    notes : str
        Caveats: definitions, dates, measurement changes.
    disagrees_with : tuple of str
        Keys of entries that report something different.
    """

    key: str
    citation: str
    status: str
    says: str = ""
    url: str = ""
    arithmetic: str = ""
    notes: str = ""
    disagrees_with: tuple = field(default=())

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ModelError(f"evidence {self.key!r}: status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        if self.status == "derived" and not self.arithmetic:
            raise ModelError(f"evidence {self.key!r} is derived, so it must show its arithmetic")
        if not self.citation:
            raise ModelError(f"evidence {self.key!r} needs a citation")


_BUILTIN = (
    Source(
        key=ASSUMPTION,
        citation="dpmkit teaching assumption",
        status="assumption",
        says="A value or range chosen to make the model teach clearly; not evidence about any real service.",
    ),
)

_registry = None


def _load():
    global _registry
    if _registry is None:
        found = {s.key: s for s in _BUILTIN}
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f".{info.name}", __name__)
            for source in getattr(module, "SOURCES", ()):
                if source.key in found:
                    raise ModelError(f"evidence key {source.key!r} is defined twice (again in {info.name})")
                found[source.key] = source
        for source in found.values():
            for other in source.disagrees_with:
                if other not in found:
                    raise ModelError(f"evidence {source.key!r} disagrees_with unknown key {other!r}")
        _registry = found
    return _registry


def get(key):
    """The :class:`Source` registered under ``key``."""
    reg = _load()
    if key not in reg:
        raise ModelError(f"no evidence registered under {key!r}" + suggest(str(key), reg))
    return reg[key]


def all_sources():
    """Every registered source, sorted by key."""
    reg = _load()
    return tuple(reg[k] for k in sorted(reg))


def status_of(key):
    """``"published"``, ``"derived"`` or ``"assumption"`` for a registry key."""
    return get(key).status


def cite(key):
    """A short citation with its status, for tables and notebooks."""
    s = get(key)
    return f"{s.citation} [{s.status}]"


def table(keys=None):
    """Sources as a DataFrame indexed by key: all of them, or those in ``keys``.

    Notebooks use it to show a figure next to its source and status, e.g.
    ``dk.evidence.table(["surrey_neet_2009", "surrey_neet_2014"])[["status", "says"]]``.
    """
    import pandas as pd

    chosen = all_sources() if keys is None else [get(k) for k in keys]
    rows = [{"key": s.key, "status": s.status, "citation": s.citation, "says": s.says, "url": s.url,
             "arithmetic": s.arithmetic, "notes": s.notes, "disagrees_with": ", ".join(s.disagrees_with)}
            for s in chosen]
    return pd.DataFrame(rows).set_index("key")
