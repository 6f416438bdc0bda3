"""Small helpers shared by the ready-made models (a private module: not a model)."""

from __future__ import annotations

from ..spec import Param


def param(name, default, bounds, units, label, description, source="assumption", uncertainty=None, lever=False,
          role=None):
    """A Param declared in one line; ``lever=True`` gives it the policy-lever role.

    Every ready-made model declares its parameters through this one helper.
    """
    return Param(name, default, bounds=bounds, uncertainty=uncertainty, units=units, label=label,
                 description=description, source=source, role="policy_lever" if lever else role)
