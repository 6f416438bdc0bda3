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


def shown(value, limit=120):
    """``repr(value)`` cut to ``limit`` characters, for error messages about a user's value.

    Safe for any value: a whole number too long for Python to print (beyond 4300
    digits), alone or in a tuple or list, is described by its number of digits
    instead of raising ``ValueError``.
    """
    try:
        text = repr(value)
    except ValueError:  # an int too long to convert to text, or a sequence holding one
        if isinstance(value, int):
            digits = int(abs(value).bit_length() * 0.30103) + 1
            text = f"{'-' if value < 0 else ''}<a whole number of about {digits:,} digits>"
        elif isinstance(value, (tuple, list)):
            text = "(" + ", ".join(shown(v, limit) for v in value) + ")"
        else:
            text = f"<a {type(value).__name__}>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


class UnitsWarning(UserWarning):
    """The units of an equation do not agree with the declared units."""
