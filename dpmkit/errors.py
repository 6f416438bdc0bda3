"""Errors and warnings raised by dpmkit.

Every problem a learner can cause (a typo in an equation, a parameter outside its
range, a run that blows up) is reported as a :class:`ModelError` whose message
names the variable and, where it helps, the position in the equation or the
simulated time.
"""

from __future__ import annotations

__all__ = ["ModelError", "UnitsWarning"]


class ModelError(ValueError):
    """A model, an equation, a parameter value or a run is not valid.

    Attributes
    ----------
    variable : str or None
        The variable the problem belongs to, when there is one.
    position : int or None
        0-based character offset in the equation text, when there is one.
    time : float or None
        The simulated time at which the problem appeared, when there is one.
    """

    def __init__(self, message, *, variable=None, position=None, time=None):
        super().__init__(message)
        self.variable = variable
        self.position = position
        self.time = time


class UnitsWarning(UserWarning):
    """The units of an equation do not agree with the declared units."""
