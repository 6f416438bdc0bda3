"""Story mode: a model's DPM chart revealed one step at a time, with a caption per step.

After Stella's storytelling mode and Insight Maker's story designer: the steps follow the
roles of a DPM chart (:mod:`dpmkit.roles`) — the **strategic resources**, then the
**end-result flows** that fill or drain them, then the **performance drivers**, then the
**policy levers**, then the **feedback loops** — and end with **which loop dominates
when** (the kit's loop dominance, :func:`dpmkit.loop_dominance`) and a chart of the loop
that dominates longest. Every box keeps its place from step to step: each step draws
the same chart with more of it shown.

:func:`story` returns a :class:`Story`: a static sequence (one SVG per step and its
caption) that displays in full in a notebook, in exported HTML and on paper. The
widget with Back and Next buttons is :func:`dpmkit.widgets.story`.

Examples
--------
>>> import dpmkit as dk
>>> s = dk.charts.story(dk.models.load("demo"))
>>> [step.title for step in s][:3]
['Strategic resources', 'End results', 'Performance drivers']
>>> s[0].svg.startswith("<svg")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from .. import dpm
from ..errors import ModelError
from ..words import number, span, stretch, time_label

__all__ = ["Story", "StoryStep", "story", "STORY_STEPS", "fit_to_width"]


def fit_to_width(svg):
    """``svg`` drawn at most as wide as the space it is shown in, and scaled down whole when
    that space is narrower (a Surrey DPM chart is 1,191 px; JupyterLab's output area beside the
    file browser about 970 px, where a scrolling box hid its end results). Needs the SVG's own
    ``viewBox``; any other text comes back unchanged."""
    head = svg[:svg.find(">") + 1] if isinstance(svg, str) and svg.startswith("<svg") else ""
    if not head or "viewBox=" not in head or " style=" in head:
        return svg
    return '<svg style="max-width:100%;height:auto"' + svg[4:]

#: The steps of a story, in order: (key, title).
STORY_STEPS = (
    ("strategic_resource", "Strategic resources"),
    ("end_result", "End results"),
    ("performance_driver", "Performance drivers"),
    ("policy_lever", "Policy levers"),
    ("feedback", "Feedback loops"),
    ("dominance", "Which loop dominates when"),
    ("dominant_loop", "The loop that dominates longest"),
)

_COLOURS = ("#D55E00", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")


@dataclass
class StoryStep:
    """One step of a story: ``key`` (see :data:`STORY_STEPS`), ``title``, ``caption``,
    ``svg`` and the :class:`~dpmkit.dpm.Diagram` (or None for the timeline)."""

    key: str
    title: str
    caption: str
    svg: str
    diagram: object = None

    def _repr_svg_(self):
        return self.svg


class Story:
    """A sequence of :class:`StoryStep`: iterate over it, index it, or display it whole.

    Attributes
    ----------
    model : Model
    steps : list of StoryStep
    dominance : Dominance or None
        What :func:`dpmkit.loop_dominance` found.
    """

    def __init__(self, model, steps, dominance=None):
        self.model = model
        self.steps = steps
        self.dominance = dominance

    def __len__(self):
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __getitem__(self, k):
        return self.steps[k]

    def text(self):
        """Every step's title and caption, as plain text."""
        return "\n".join(f"Step {k + 1} of {len(self)}: {s.title}. {s.caption}" for k, s in enumerate(self.steps))

    def __repr__(self):
        return f"Story of {self.model.label} in {len(self)} steps\n{self.text()}"

    def step_html(self, k):
        """One step as HTML: heading, caption and its SVG."""
        s = self.steps[k]
        return (f'<div class="dpmkit-story-step" style="margin:0 0 1.5em 0">'
                f'<h4 style="margin:0.3em 0">Step {k + 1} of {len(self)}: {escape(s.title)}</h4>'
                f'<p style="max-width:60em">{escape(s.caption)}</p>'
                f'<div style="max-width:100%">{fit_to_width(s.svg)}</div></div>')

    def _repr_html_(self):
        return (f'<div class="dpmkit-story"><p><b>{escape(self.model.label)}, step by step</b> '
                f'({len(self)} steps)</p>' + "".join(self.step_html(k) for k in range(len(self))) + "</div>")

    def save(self, folder):
        """Write ``step_01.svg`` ... and ``story.txt`` (the captions) into ``folder``; returns the paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for k, s in enumerate(self.steps):
            path = folder / f"step_{k + 1:02d}.svg"
            path.write_text(s.svg, encoding="utf-8")
            paths.append(path)
        text = folder / "story.txt"
        text.write_text(self.text() + "\n", encoding="utf-8")
        return paths + [text]


def _listing(names, label_of, limit=6):
    shown = [label_of(n) for n in names[:limit]]
    more = len(names) - len(shown)
    text = ", ".join(shown)
    return text + (f" and {more} more" if more > 0 else "")


def story(model, *, params=None, focus=None, steps=None, levers="bar", view="instrumental", roles=None,
          dominance=True, title=None):
    """Reveal a model's DPM chart step by step, with a caption per step.

    Parameters
    ----------
    model : Model or str
        A model, or the name of a ready-made one.
    params : dict, optional
        Parameter values for the run the captions and loop dominance describe.
    focus, steps, levers
        As in :func:`dpmkit.dpm.chart`: tell the story of one part of a large model
        (``focus="becoming_neet"``), and collapse the levers into one bar (the default).
    view : str
        The chart's view (:data:`dpmkit.dpm.VIEWS`).
    roles : dict, optional
        Role overrides, as in :func:`dpmkit.dpm.chart` (``None`` leaves a variable out).
    dominance : bool
        Add the steps on loop dominance (a run of the model).
    title : str, optional

    Returns
    -------
    Story
    """
    from ..analysis import loop_dominance, loops
    from ..models import as_model
    from ..simulate import simulate

    model = as_model(model)
    if not isinstance(dominance, bool):
        raise ModelError(f"dominance must be True or False, got {dominance!r}")
    kw = {"focus": focus, "steps": steps, "levers": levers, "view": view, "title": title, "roles": roles}
    full = dpm.chart(model, **kw)
    shown = {n["name"] for n in full.nodes}
    s = dpm.structure(model, roles)
    role_of = s["roles"]
    members = [n for n in model.names if n in shown or any(n in b.get("members", ()) for b in full.nodes)]

    def label_of(n):
        return model[n].label

    run = simulate(model, params)
    units = model.time_units

    def change(n):
        a, b = run[n][0], run[n][-1]
        u = f" {model[n].units}" if model[n].units and model[n].units != "dimensionless" else ""
        return f"{label_of(n)} {number(a)} → {number(b)}{u}"

    by_role = {r: [n for n in members if role_of.get(n) == r] for r, _ in dpm.COLUMNS}
    levers_ = [n for n in members if role_of.get(n) == "policy_lever"]
    whole = span(model.start, model.stop, units)
    out = []
    revealed = []

    def add(key, title_, caption, stages=None, diagram=None):
        if diagram is None:
            diagram = dpm.chart(model, stages=stages, **kw)
        out.append(StoryStep(key, title_, caption, diagram.svg, diagram))

    res = by_role["strategic_resource"]
    revealed.append("strategic_resource")
    add("strategic_resource", "Strategic resources",
        (f"Strategic resources are the stocks the organisation builds up and uses. Here: "
         f"{'; '.join(change(n) for n in res[:6])}{' ...' if len(res) > 6 else ''} ({whole})." if res else
         "This part of the model has no strategic resources."), set(revealed))
    results = by_role["end_result"]
    revealed.append("end_result")

    def verb(f):
        v = model[f]
        return ("fills " + label_of(v.into)) if getattr(v, "into", None) in role_of else (
            "drains " + label_of(v.out_of)) if getattr(v, "out_of", None) in role_of else "changes a resource"
    add("end_result", "End results",
        ("End results are the flows that fill or drain the resources, the rates at which they change: "
         + "; ".join(f"{label_of(f)} {verb(f)}" for f in results[:8]) + (" ..." if len(results) > 8 else "")
         + ". Orange arrows: an end result filling or draining its resource." if results else
         "No end results are drawn in this part of the model."), set(revealed))
    drivers = by_role["performance_driver"]
    revealed.append("performance_driver")
    drive_links = [(a, b) for a, b, k in s["links"] if k in ("drives", "within") and a in members and b in members]
    add("performance_driver", "Performance drivers",
        (f"Performance drivers are the measures managers can act on, usually a ratio against a benchmark: "
         f"{_listing(drivers, label_of)}. Resources drive them, and they drive the end results "
         f"({len(drive_links)} arrows)." if drivers else
         "No performance drivers are drawn in this part of the model: the resources drive the end results directly."),
        set(revealed))
    revealed.append("policy_lever")
    if levers_:
        values = run.params
        lev = "; ".join(f"{label_of(n)} = {number(values[n])}" for n in levers_[:6] if n in values)
        caption = (f"Policy levers are what decision-makers set: {lev}. "
                   + ("Each box a lever acts on carries its number (L1, L2, ...)." if levers == "bar" else
                      "Green dotted arrows show what each acts on."))
    else:
        caption = "No policy lever acts on this part of the model."
    add("policy_lever", "Policy levers", caption, set(revealed))
    found = loops(model)
    major = [lp for lp in found if len(lp.members) > 2]
    minor = len(found) - len(major)
    touching = [lp for lp in major if set(lp.members) & set(members)]
    revealed.append("feedback")
    r_count = sum(1 for lp in touching if lp.polarity == "reinforcing")
    # a loop with no stock of its own (through a SMTH or DELAY in an equation) is told by its variables
    names = "; ".join(f"{lp.id}{' ' + repr(lp.name) if lp.name else ''} through "
                      f"{_listing(list(lp.stocks) or list(lp.members), label_of, 3)}"
                      for lp in touching[:4])
    add("feedback", "Feedback loops",
        (f"Feedback: end results change the resources, which change the drivers, which change the end results. "
         f"{len(touching)} feedback loop{'s' if len(touching) != 1 else ''} of three or more variables "
         f"pass{'es' if len(touching) == 1 else ''} through what is drawn ({r_count} reinforcing, "
         f"{len(touching) - r_count} balancing){': ' + names if names else ''}"
         f"{f'; and {len(touching) - 4} other loops' if len(touching) > 4 else ''}; plus {minor} two-variable "
         f"loop{'s' if minor != 1 else ''} of a "
         "stock and its own flow. Blue dashed arrows are feedback other than a flow filling or draining its "
         "own resource."), set(revealed))
    dom = None
    if dominance:
        dom = loop_dominance(model, params=params)
        add_dominance(out, model, dom, kw)
    return Story(model, out, dom)


def _self_loop(lp):
    """True for a loop of a stock and its own flow alone (B12: Gaming → Gaming change), which
    says only that the stock fills or drains at its own pace."""
    return len(lp.members) <= 2


def add_dominance(out, model, dom, kw):
    """The two dominance steps: a timeline of which loop dominates when, and the longest-dominating loop.

    Both follow the loops of three or more variables: a loop of a stock and its own flow often
    has the largest score (a stock drains at its own pace), and naming it as the loop that
    drives the behaviour teaches nothing. The caption says when such a loop had the largest
    score, and says so plainly when only those loops could be scored.
    """
    units = model.time_units

    def stretch_(t0, t1):
        return stretch(t0, t1, units, model.start, model.stop)
    if dom.periods.empty:
        text = "No loop could be scored in this run: " + "; ".join(dom.notes or ["nothing changes"]) + "."
        out.append(StoryStep("dominance", "Which loop dominates when", text, _timeline(model, dom.periods, dom)))
        return
    major = [lp.id for lp in dom.loops if not _self_loop(lp)]
    periods = dom.periods_among(major)
    only_self = periods.empty
    if only_self:
        periods = dom.periods
    selfish = [r for _, r in dom.periods.iterrows() if _self_loop(dom.loops[r["loop"]])]
    parts, named_ = [], set()
    for _, row in periods.iterrows():
        lp = dom.loops[row["loop"]]
        stocks = ", ".join(model[m].label for m in lp.stocks) if lp.stocks and lp.id not in named_ else ""
        named_.add(lp.id)
        parts.append(f"{lp.id} ({lp.polarity}{', through ' + stocks if stocks else ''}) "
                     f"{stretch_(row['start'], row['end'])}")
    notes = "".join(f" {note[:1].upper()}{note[1:]}." for note in dom.notes)
    first = float(periods["start"].iloc[0])
    kind = "" if only_self else " of three or more variables"
    then = (f"none has a score {stretch_(model.start, first)}; then " if first > model.start + 1e-9 else "")
    lead = "these lead" if len(parts) > 1 else "this leads"
    if only_self:
        aside = ("Only loops of a stock and its own flow alone could be scored, which say only that a stock fills "
                 "or drains at its own pace. " + (f"Of those, {then}{lead}: " if then else f"{lead.capitalize()}: "))
    else:
        aside = ""
        if selfish:
            share = sum(r["end"] - r["start"] for r in selfish) / (model.stop - model.start)
            ids = list(dict.fromkeys(r["loop"] for r in selfish))
            aside = (("Throughout the run" if share > 0.995 else f"For {share:.0%} of the run")
                     + f" a stock and its own flow alone scores highest ({', '.join(ids[:3])}"
                     f"{' and more' if len(ids) > 3 else ''}), which says only that a stock fills or drains at its "
                     "own pace. ")
        aside += f"Among loops{kind}, {then}{lead}: "
    whole = "in the whole model; " if kw.get("focus") is not None else ""
    caption = (f"Which feedback loop drives the behaviour when ({whole}after 'Loops that Matter', the loop with the "
               "largest share of all loops' scores dominates). " + aside + "; ".join(parts) + "." + notes)
    out.append(StoryStep("dominance", "Which loop dominates when", caption, _timeline(model, periods, dom)))
    length = periods.assign(d=periods["end"] - periods["start"]).groupby("loop")["d"].sum()
    longest = str(length.idxmax())
    lp = dom.loops[longest]
    where = [m for m in lp.members if m in model.names and model[m].role]
    share = float(length[longest] / (model.stop - model.start))
    among = " of the loops of three or more variables" if not only_self else ""
    say = (f"{lp.id}, a {lp.polarity} loop ({' → '.join(model[m].label for m in lp.members + lp.members[:1])}), "
           f"dominates longest{among}: {share:.0%} of the run. "
           + ("It is a stock and its own flow alone, the only kind of loop that could be scored here. "
              if only_self else "")
           + ("A balancing loop pulls a stock towards a goal or limit; " if lp.polarity == "balancing" else
              "A reinforcing loop feeds on itself, for growth or decline; ")
           + "the chart shows it alone.")
    if where:
        try:
            diagram = dpm.chart(model, focus=lp.id, levers=kw["levers"], view=kw["view"], roles=kw["roles"])
        except ModelError:
            diagram = dpm.loop_diagram(model, which=[lp.id])
    else:
        diagram = dpm.loop_diagram(model, which=[lp.id])
    out.append(StoryStep("dominant_loop", "The loop that dominates longest", say, diagram.svg, diagram))


def _timeline(model, periods, dom):
    """An SVG strip: one coloured band per period of dominance, labelled with the loop's id."""
    width, left, right, top = 900, 60, 60, 60
    span_t = float(model.stop - model.start) or 1.0
    units = model.time_units

    def x(t):
        return left + (float(t) - model.start) / span_t * (width - left - right)
    ids = list(dict.fromkeys(periods["loop"])) if not periods.empty else []
    colour = {i: _COLOURS[k % len(_COLOURS)] for k, i in enumerate(ids)}
    body = [f'<text x="{left}" y="32" font-size="22" font-weight="bold">{escape(model.label)}: which loop dominates '
            f'when</text>']
    for _, row in periods.iterrows():
        x0, x1 = x(row["start"]), x(row["end"])
        c = colour[row["loop"]]
        body.append(f'<rect x="{x0:.1f}" y="{top}" width="{max(x1 - x0, 1):.1f}" height="46" fill="{c}" '
                    f'fill-opacity="0.85" stroke="white" stroke-width="2"><title>{escape(row["loop"])}: '
                    f'{escape(stretch(row["start"], row["end"], units, model.start, model.stop))}</title></rect>')
        if x1 - x0 > 34:
            body.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{top + 30}" font-size="17" font-weight="bold" '
                        f'text-anchor="middle" fill="white">{escape(row["loop"])}</text>')
    ticks = 5
    for k in range(ticks + 1):
        t = model.start + span_t * k / ticks
        body.append(f'<line x1="{x(t):.1f}" y1="{top + 48}" x2="{x(t):.1f}" y2="{top + 56}" stroke="#333"/>'
                    f'<text x="{x(t):.1f}" y="{top + 74}" font-size="14" text-anchor="middle">'
                    f'{escape(time_label(t, units))}</text>')
    y = top + 104
    for i in ids:
        lp = dom.loops[i]
        text = f"{i} ({lp.polarity}): " + " → ".join(model[m].label for m in lp.members + lp.members[:1])
        body.append(f'<rect x="{left}" y="{y - 13}" width="16" height="16" fill="{colour[i]}"/>'
                    f'<text x="{left + 24}" y="{y}" font-size="14">{escape(text[:110])}</text>')
        y += 24
    height = y + 10
    desc = "; ".join(f"{r['loop']} {stretch(r['start'], r['end'], units, model.start, model.stop)}"
                     for _, r in periods.iterrows()) or "none"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="Loop dominance over time" '
            f'font-family="Liberation Sans, Arial, Helvetica, sans-serif"><title>Loop dominance over time</title>'
            f'<desc>{escape(desc)}</desc><rect width="100%" height="100%" fill="white"/>{"".join(body)}</svg>')
