"""Story mode as a widget: a model's DPM chart revealed step by step, with Back and Next.

The steps and captions are those of :func:`dpmkit.charts.story`. The widget also leaves
a static picture: its display carries the whole sequence as HTML (every step's caption
and SVG) beside the live widget, so a notebook exported to HTML, rendered on a website or
opened without a kernel still shows the story.
"""

from __future__ import annotations

import html

from .. import charts
from ..charts.story import fit_to_width
from ..errors import ModelError
from ._common import W, _model

__all__ = ["story", "StoryWidget"]


class StoryWidget(W.VBox):
    """Back / Next through the steps of a :class:`~dpmkit.charts.Story`.

    Attributes
    ----------
    story : Story
        The static sequence (``.steps``, ``.text()``, ``.save(folder)``).
    step : int
        The step shown, from 0. Set it with :meth:`go`, :meth:`next`, :meth:`back`.
    """

    def __init__(self, story_):
        self.story = story_
        self.step = 0
        self._back = W.Button(description="◀ Back", tooltip="The step before", layout=W.Layout(width="8em"))
        self._next = W.Button(description="Next ▶", tooltip="The next step", button_style="primary",
                              layout=W.Layout(width="8em"))
        self._where = W.HTML()
        self._caption = W.HTML(layout=W.Layout(max_width="60em"))
        self._picture = W.HTML(layout=W.Layout(overflow="auto", max_width="100%"))
        self._back.on_click(lambda _: self.back())
        self._next.on_click(lambda _: self.next())
        super().__init__([W.HBox([self._back, self._next, self._where]), self._caption, self._picture])
        self._show()

    def _show(self):
        s = self.story[self.step]
        n = len(self.story)
        self._where.value = (f'<span style="font-size:1.1em;margin-left:1em"><b>Step {self.step + 1} of {n}:</b> '
                             f"{html.escape(s.title)}</span>")
        self._caption.value = f"<p>{html.escape(s.caption)}</p>"
        self._picture.value = fit_to_width(s.svg)
        self._back.disabled = self.step == 0
        self._next.disabled = self.step == n - 1

    def go(self, step):
        """Show step ``step`` (from 0; negative counts from the end)."""
        n = len(self.story)
        if isinstance(step, bool) or not isinstance(step, int) or not -n <= step < n:
            raise ModelError(f"step must be a whole number from 0 to {n - 1}, got {step!r}")
        self.step = step % n
        self._show()
        return self

    def next(self):
        """The next step (stays on the last)."""
        return self.go(min(self.step + 1, len(self.story) - 1))

    def back(self):
        """The step before (stays on the first)."""
        return self.go(max(self.step - 1, 0))

    @property
    def caption(self):
        """The caption of the step shown."""
        return self.story[self.step].caption

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data or {})
        # A static copy of the whole sequence, for exported or kernel-less notebooks.
        data["text/html"] = self.story._repr_html_()
        data["image/svg+xml"] = self.story[self.step].svg
        data["text/plain"] = repr(self.story)
        return (data, bundle[1]) if isinstance(bundle, tuple) else data


def story(model, **kwargs):
    """A story-mode widget: :func:`dpmkit.charts.story` with Back and Next buttons.

    Parameters
    ----------
    model : Model or str
    **kwargs
        As for :func:`dpmkit.charts.story` (``params``, ``focus``, ``steps``, ``levers``,
        ``view``, ``dominance``, ``title``).

    Returns
    -------
    StoryWidget

    Examples
    --------
    >>> import dpmkit as dk
    >>> w = dk.widgets.story("demo")
    >>> w.next().step
    1
    """
    return StoryWidget(charts.story(_model(model), **kwargs))
