"""Story mode as a widget: a model's DPM chart revealed step by step, with Back and Next; and
focus mode as a widget: pick what to focus on from a list, no code.

The steps and captions are those of :func:`dpmkit.charts.story`. The widget also leaves
a static picture: its display carries the whole sequence as HTML (every step's caption
and SVG) beside the live widget, so a notebook exported to HTML, rendered on a website or
opened without a kernel still shows the story. :func:`focus` draws
:func:`dpmkit.dpm.chart` with ``focus=`` the variable, lever or loop picked, and its text.
"""

from __future__ import annotations

import html
import re

from .. import charts, dpm, words
from ..charts.story import fit_to_width
from ..errors import ModelError
from ._common import W, _model

__all__ = ["story", "StoryWidget", "focus", "FocusWidget"]


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


_ROLES = ("strategic_resource", "performance_driver", "end_result", "policy_lever")


#: The focus list's choice that draws the whole model (no variable's name has a space).
WHOLE = "whole model"


def _whole_label(folded):
    """The focus list's words for the whole model, drawn ``folded`` (``dpm.chart(model, fold=True)``),
    and whether it folds: a model that repeats one structure in several places (the attractor
    model's eleven localities) is drawn folded, and the words say so."""
    sizes = [len(n["members"]) for n in folded.nodes if n.get("members")]
    if not sizes:
        return f"The whole model ({len(folded.nodes)} boxes)", False
    return f"The whole model ({len(folded.nodes)} boxes, each repeated part drawn once: ×{max(sizes)})", True


def _focus_choices(model, structure, found, whole, families=None):
    """(label, focus) for the whole model (``whole``, its words; folded where it repeats itself),
    then every variable with a role, in the chart's order of roles, then every loop of three or more
    variables (a stock and its own flow alone is not worth a chart).

    ``families`` (``{family label: [member, ...]}``, the folded chart's repeated parts) shortens the
    list where the model repeats itself: a family is offered once, by its first member ("Outcome,
    each locality (strategic resource; drawn for locality 01)"), and of the loops that differ only
    by which member of a family they pass through, the first stands for the rest. The attractor
    model's list fell from 192 entries, eleven of almost everything, to a screenful."""
    roles = structure["roles"]
    linked = {end for link in structure["links"] for end in link[:2]}  # a box with no link has no chart
    family_of = {m: label for label, members in (families or {}).items() for m in members}
    first_of = {label: members[0] for label, members in (families or {}).items()}
    out = [(whole, WHOLE)] if roles else []
    for role in _ROLES:
        for n in model.names:
            if roles.get(n) != role or n not in linked:
                continue
            family = family_of.get(n)
            if family is None:
                out.append((f"{model[n].label} ({words.role(role)})", n))
            elif first_of[family] == n:
                where = re.search(r"\w+ \d+$", model[n].label)
                out.append((f"{family} ({words.role(role)}; drawn for {where[0] if where else model[n].label})", n))
    alike = {}
    for lp in found:
        if len(lp.members) > 2 and any(m in roles for m in lp.members):
            # a loop through a family is alike another that differs only by the numbers of the places it
            # passes through (its undrawn variables too: ``local_goal_01`` and ``local_goal_02``)
            place = any(m in family_of for m in lp.members)
            alike.setdefault(frozenset(family_of.get(m, re.sub(r"_\d+$", "_*", m) if place else m)
                                       for m in lp.members), []).append(lp)
    for group in alike.values():
        lp = group[0]
        through = ", ".join(family_of.get(m, model[m].label) for m in (lp.stocks or lp.members)[:3])
        more = f" (one of {len(group)} like it, one in each place)" if len(group) > 1 else ""
        out.append((f"{lp.id}: a {lp.polarity} loop through {through}{more}", lp.id))
    return out


class FocusWidget(W.VBox):
    """Focus mode without code: a list of what to focus on (the whole model, every variable with
    a role, then the feedback loops), how many links out, and the focused DPM chart with the text
    that says what it leaves out. The whole model is the folded chart (``dk.dpm.chart(model,
    fold=True)``): a model that repeats one structure in several places, like the attractor
    model's eleven localities, shows each repeated part as one box marked ×11.

    Attributes
    ----------
    diagram : Diagram or None
        The chart shown (None when the pick cannot be drawn; the text says why).
    """

    def __init__(self, model, start=None, steps=None, view="instrumental"):
        self.model = model
        self.view = view
        from ..analysis import loops

        found, structure = loops(model), dpm.structure(model)
        # the whole model, drawn once here: its words in the list, and the chart when it is picked
        self._whole = dpm.chart(model, view, fold=True) if structure["roles"] else None
        whole, folds = _whole_label(self._whole) if self._whole is not None else ("", False)
        families = {n["label"]: n["members"] for n in (self._whole.nodes if self._whole is not None else ())
                    if len(n.get("members") or ()) > 1}
        choices = _focus_choices(model, structure, found, whole, families)
        if not choices:
            raise ModelError(f"model {model.name!r} declares no DPM roles, so there is nothing to focus on")
        names = [f for _, f in choices]
        if start is not None and start not in names:
            raise ModelError(f"start must be a variable with a role or a loop id of {model.name!r} (or "
                             f"{WHOLE!r}), got {start!r}", variable=start if isinstance(start, str) else None)
        if steps is not None and (isinstance(steps, bool) or steps not in (1, 2, 3)):
            raise ModelError(f"steps must be 1, 2 or 3, got {steps!r}")
        # a model that repeats itself opens on its whole folded chart, its best overview; another on
        # its first strategic resource
        first = names[0] if folds or len(names) == 1 else names[1]
        self.pick = W.Dropdown(options=choices, value=start or first, description="Focus on",
                               layout=W.Layout(width="34em"), style={"description_width": "initial"})
        self.steps = W.Dropdown(options=[("1 link", 1), ("2 links", 2), ("3 links", 3)], value=steps or 1,
                                description="within", layout=W.Layout(width="10em"),
                                style={"description_width": "initial"})
        self._picture = W.HTML(layout=W.Layout(overflow="auto", max_width="100%"))
        self._text = W.HTML(layout=W.Layout(max_width="60em"))
        self.diagram = None
        roles = structure["roles"]
        self._loop_boxes = {lp.id: sum(m in roles for m in lp.members) for lp in found}
        self.pick.observe(lambda _: self._draw(), names="value")
        self.steps.observe(lambda _: self._draw(), names="value")
        super().__init__([W.HBox([self.pick, self.steps]), self._text, self._picture])
        self._draw()

    def _draw(self):
        # a long loop is drawn whole: all of its boxes, and no more than the usual dozen besides
        members = self._loop_boxes.get(self.pick.value, 0)
        whole = self.pick.value == WHOLE
        self.steps.disabled = whole  # the whole model has no "links out"
        try:
            self.diagram = (self._whole if whole else
                            dpm.chart(self.model, self.view, focus=self.pick.value, steps=self.steps.value,
                                      max_boxes=max(12, members + 1)))
        except ModelError as err:
            self.diagram = None
            self._picture.value = ""
            self._text.value = f"<p><b>Not drawn:</b> {html.escape(str(err))}</p>"
            return
        self._picture.value = fit_to_width(self.diagram.svg)
        self._text.value = "".join(f"<p style='margin:0.2em 0;line-height:1.4'>{html.escape(line)}</p>"
                                   for line in self.description.splitlines() if line.strip())

    @property
    def description(self):
        """The chart's text: what it shows and what the focus leaves out."""
        return self.diagram.description if self.diagram is not None else ""

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data or {})
        # A static copy of the chart shown, for exported or kernel-less notebooks.
        if self.diagram is not None:
            data["image/svg+xml"] = self.diagram.svg
            data["text/html"] = (f"<div class='dpmkit-focus'>{self._text.value}"
                                 f"<div style='max-width:100%'>{fit_to_width(self.diagram.svg)}</div></div>")
        data["text/plain"] = self.description or self._text.value
        return (data, bundle[1]) if isinstance(bundle, tuple) else data


def focus(model, start=None, *, steps=None, view="instrumental"):
    """Focus mode as a widget: pick a variable, a lever or a feedback loop from a list, and see
    the DPM chart of what connects to it (:func:`dpmkit.dpm.chart` with ``focus=``), with the
    text that says what the focus leaves out. For a learner who does not write code.

    Parameters
    ----------
    model : Model or str
    start : str, optional
        What to focus on first: a variable's name, a loop's id, or ``"whole model"`` for the
        whole chart, folded where the model repeats itself (default: the whole model for a
        model that repeats itself, like the attractor model; else the first strategic resource).
    steps : {1, 2, 3}, optional
        How many links out from the focus, at first (the learner can change it).
    view : str
        The chart's view (:data:`dpmkit.dpm.VIEWS`).

    Returns
    -------
    FocusWidget

    Examples
    --------
    >>> import dpmkit as dk
    >>> w = dk.widgets.focus("surrey", "trust")
    >>> "Focus on 'Trust'" in w.description
    True
    >>> w.pick.value = "coproduction_effort"
    >>> "Focus on 'Co-production effort'" in w.description
    True
    """
    return FocusWidget(_model(model), start=start, steps=steps, view=view)
