"""Diagrams of structure: the DPM chart and the feedback-loop diagram, drawn from declarations.

The **DPM chart** (Dynamic Performance Management, after Bianchi) reads from left
to right: **strategic resources** (stocks the organisation builds and uses) drive
**performance drivers** (usually ratios against a benchmark, the leading indicators
managers can act on), which drive **end results** (the flows that fill or drain
the resources: the rates at which they change). End results feed back into the
resources, which closes the loop; **policy levers** act from above. Every box and
arrow comes from the model's declarations: the variables' ``role`` and the
dependencies in their equations. Variables without a role are not drawn; an arrow
is drawn between two drawn variables when one influences the other, directly or
through variables that are not drawn.

:func:`check_roles` (and :func:`role_problems`) hold a model's roles to these
definitions (:data:`ROLE_RULES`): strategic resources are stocks, end results are the
flows that change them (every such flow is one), performance drivers are auxiliaries
that influence an end result, policy levers are parameters. When a model keeps the
rules, every arrow into a resource comes from an end result that fills or drains it:
levers → drivers → end-result flows → resource stocks → back to drivers.

The chart has three **views** (after Bianchi; see the research notes, section 2.3):

- ``"objective"`` — *what* is to be achieved: the end results and the strategic
  resources they change are emphasised, with the feedback from results to resources.
- ``"instrumental"`` — *how*: the causal chain from strategic resources through
  performance drivers to end results, and the levers that act on it.
- ``"subjective"`` — *who*: which decision-maker or organisation is responsible for
  which lever, driver and result. Pass ``owners`` (the model does not say who owns
  what); each owner gets a colour *and* a name tag on its boxes.

**Focus mode** keeps the chart of a large model legible: ``chart(model, focus=...)`` draws
only what connects to one variable, lever or feedback loop within ``steps`` links (at most
``max_boxes`` boxes, 12 by default), and ``levers="bar"`` collapses the policy levers into
one numbered bar whose numbers are written on the boxes they act on. Every drawn arrow
records its path (``Diagram.edges[i]["points"]``), so :func:`crossings` can count crossings
on the drawing itself. Story mode (:func:`dpmkit.charts.story`) draws the chart step by
step with ``stages``.

The **loop diagram** is a causal-loop diagram of the feedback loops found by
``dk.loops`` (stocks in boxes, flows with a valve mark, links signed + or −), with
each loop labelled R (reinforcing) or B (balancing) at its centre.

Both are generated SVG (no Graphviz, no JavaScript, no internet): they display in
JupyterLab, print crisply, and come with a plain-text ``description`` for screen
readers. Labels are XML-escaped; nothing the model says is executed.

Examples
--------
>>> import dpmkit as dk
>>> d = dk.dpm.chart(dk.models.load("demo"), view="instrumental")
>>> d.svg.startswith("<svg")
True
>>> print(d.description.splitlines()[0])
DPM chart of Caseworker team (demo), instrumental view (how): 3 strategic resources, 2 performance drivers, 5 end results, 1 policy lever.
>>> dk.dpm.check_roles(dk.models.load("demo")).name  # roles as Bianchi defines them
'demo'
"""  # noqa: E501 - a doctest's expected output cannot be wrapped

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

from . import words
from .errors import ModelError
from .roles import ROLE_RULES, check_roles, influences, role_problems, roles_of

__all__ = ["VIEWS", "VIEW_NOTES", "COLUMNS", "ROLE_RULES", "STAGES", "Diagram", "structure", "role_problems",
           "check_roles", "chart", "loop_diagram", "focus_set", "crossings"]

VIEWS = ("objective", "instrumental", "subjective")
#: What each view of the DPM chart shows (the research notes, section 2.3).
VIEW_NOTES = {
    "objective": "Objective view (what): the end results and outcomes to be achieved, and the strategic "
                 "resources they build up or drain.",
    "instrumental": "Instrumental view (how): the causal means — strategic resources drive performance drivers, "
                    "which drive end results; end results feed back into the resources; levers act on the chain.",
    "subjective": "Subjective view (who): which decision-maker or organisation is responsible for which lever, "
                  "driver and result.",
}
#: The three columns of a DPM chart, left to right, and their headings.
COLUMNS = (("strategic_resource", "Strategic resources"), ("performance_driver", "Performance drivers"),
           ("end_result", "End results"))

#: The parts of a DPM chart, in the order story mode reveals them: boxes of each role, then the
#: feedback links other than an end result filling or draining its own resource.
STAGES = ("strategic_resource", "end_result", "performance_driver", "policy_lever", "feedback")

# Okabe–Ito, for owners in the subjective view (with name tags: never colour alone).
_OWNER_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
_FONT = 17          # node labels, px: legible from the back of a room
_SMALL = 14
_LEGEND_ROW = 26     # px between rows of the legend's keys
_LINE = 21          # line height, px
_NODE_W = 210
_GAP = 150          # between columns (edges and channels run here)
_PAD = 14


# --------------------------------------------------------------------------- the SVG object

@dataclass
class Diagram:
    """A generated SVG diagram that displays itself in Jupyter.

    Attributes
    ----------
    svg : str
    description : str
        Plain-text account of what the diagram shows.
    nodes : list of dict
        Each drawn box: ``name, label, role/kind, x, y, w, h`` (and ``owner``, ``emphasis``).
    edges : list of dict
        Each drawn arrow: ``source, target, kind`` (and ``sign`` in loop diagrams).
    loops : list of dict
        Loop diagrams only: ``id, polarity, members, x, y`` of each label.
    """

    svg: str
    description: str
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    loops: list = field(default_factory=list)

    def _repr_svg_(self):
        return self.svg

    def _repr_html_(self):
        # JupyterLab shows an SVG output at its own width and clips it at the notebook's edge (a
        # Surrey chart is 1,191 px, beside the file browser the output area about 970 px), so
        # the right-hand column, the end results, was cut off. As HTML it shrinks to fit.
        data = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return (f'<img src="data:image/svg+xml;base64,{data}" alt="{escape(self.description, quote=True)}" '
                'style="max-width:100%;height:auto">')

    def __repr__(self):
        return f"<Diagram: {len(self.nodes)} boxes, {len(self.edges)} arrows>\n{self.description}"

    def save(self, path, *, scale=2):
        """Write the diagram as ``.svg``, or ``.png`` (rendered offline by vl-convert)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".svg":
            path.write_text(self.svg, encoding="utf-8")
        elif suffix == ".png":
            try:
                import vl_convert
            except ModuleNotFoundError as err:
                raise ImportError('saving PNG needs vl-convert, which comes with the lab extra: '
                                  'pip install "dpmkit[lab]"') from err
            if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale <= 10:
                raise ModelError(f"scale must be a number between 0 and 10, got {scale!r}")
            path.write_bytes(vl_convert.svg_to_png(self.svg, scale=float(scale)))
        else:
            raise ModelError(f"save diagrams as .svg or .png, not {path.name!r}")
        return path


def _wrap(text, width=19):
    """Split a label into lines of at most ``width`` characters, at spaces where possible."""
    words, lines, line = str(text).split(), [], ""
    for word in words:
        while len(word) > width:  # a very long word: break it
            if line:
                lines.append(line)
                line = ""
            lines.append(word[: width - 1] + "-")
            word = word[width - 1:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines or [""]


def _text(x, y, lines, *, size=_FONT, anchor="middle", weight="normal", fill="#111", style="normal", opacity=1.0):
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else _LINE * size / _FONT:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'font-style="{style}" fill="{fill}" opacity="{opacity:.2f}">{spans}</text>')


def _svg(width, height, body, title, description):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(title, quote=True)}" '
            f'font-family="Liberation Sans, Arial, Helvetica, sans-serif">'
            f'<title>{escape(title)}</title><desc>{escape(description)}</desc>'
            '<defs>'
            '<marker id="arrow-green" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
            'orient="auto" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" fill="#009E73"/></marker>'
            '<marker id="arrow-grey" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
            'orient="auto" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>'
            '<marker id="arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="11" markerHeight="11" '
            'orient="auto" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" fill="#D55E00"/></marker>'
            '<marker id="arrow-blue" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
            'orient="auto" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" fill="#0072B2"/></marker>'
            '</defs>'
            f'<rect width="100%" height="100%" fill="white"/>{body}</svg>')


# --------------------------------------------------------------------------- structure

def structure(model, roles=None):
    """What the DPM chart draws, as data: the columns and the links between them.

    Parameters
    ----------
    model : Model
    roles : dict, optional
        ``{variable: role or None}`` to override or remove declared roles (for a
        model without roles, or to try another reading of it).

    Returns
    -------
    dict
        ``columns``: role -> list of variable names, in declaration order;
        ``levers``: names of policy levers;
        ``links``: list of ``(source, target, kind)`` with kind ``"drives"`` (left to
        right), ``"feedback"`` (an end result that fills or drains a resource, or
        another link back towards the resources), ``"within"`` (inside one column)
        or ``"lever"``.

    Examples
    --------
    >>> import dpmkit as dk
    >>> s = dk.dpm.structure(dk.models.load("demo"))
    >>> ("served", "waiting_list", "feedback") in s["links"]
    True
    """
    from .spec import Model

    if not isinstance(model, Model):
        raise ModelError(f"expected a dpmkit Model, got {type(model).__name__}")
    role_of = roles_of(model, roles)
    if not any(r in ("strategic_resource", "performance_driver", "end_result") for r in role_of.values()):
        raise ModelError(
            f"model {model.name!r} declares no DPM roles, so there is no DPM chart to draw. Give variables a role "
            "(role='strategic_resource', 'performance_driver', 'end_result' or 'policy_lever'), or pass "
            "roles={'name': 'strategic_resource', ...}"
        )
    shown = [n for n in model.names if n in role_of]
    shown_set = set(shown)
    succ = influences(model)
    links = []
    col = {r: i for i, (r, _) in enumerate(COLUMNS)}
    for source in shown:
        reached, stack, seen = [], list(succ.get(source, ())), set()
        while stack:
            node = stack.pop()
            if node in seen or node == source:
                continue
            seen.add(node)
            if node in shown_set:
                reached.append(node)
                continue  # stop at drawn variables: their own links carry on
            stack.extend(succ.get(node, ()))
        for target in sorted(reached, key=model.names.index):
            rs, rt = role_of[source], role_of[target]
            if rt == "policy_lever":
                continue
            if rs == "policy_lever":
                kind = "lever"
            elif col[rt] > col[rs]:
                kind = "drives"
            elif col[rt] < col[rs]:
                kind = "feedback"
            else:
                kind = "within"
            links.append((source, target, kind))
    columns = {r: [n for n in shown if role_of[n] == r] for r, _ in COLUMNS}
    return {"columns": columns, "levers": [n for n in shown if role_of[n] == "policy_lever"], "links": links,
            "roles": role_of}


def _owners(model, owners):
    """Normalise owners to ``{variable: owner}``; accepts either direction of mapping."""
    if not owners:
        return {}
    if not hasattr(owners, "items"):
        raise ModelError("owners must be a dict: {'Council': ['budget', ...]} or {'budget': 'Council', ...}")
    out = {}
    for key, value in owners.items():
        if isinstance(value, str):
            pairs = [(key, value)]
        else:
            try:
                pairs = [(v, key) for v in value]
            except TypeError:
                raise ModelError(f"owners[{key!r}] must be a name or a list of variable names") from None
        for var, who in pairs:
            if var not in model:
                from .expressions import suggest

                raise ModelError(f"owners names {var!r}, which is not in model {model.name!r}"
                                 + suggest(str(var), model.names), variable=str(var))
            out[var] = str(who)
    return out


# --------------------------------------------------------------------------- folding numbered families

def _common_start(texts):
    """The characters every text starts with."""
    first = min(texts, key=len)
    for i, ch in enumerate(first):
        if any(t[i] != ch for t in texts):
            return first[:i]
    return first


def _family_label(labels):
    """One label for variables that differ only by their number: "Outcome, locality 01" ... "Outcome,
    locality 11" read as "Outcome, each locality" (the box says how many: ×11)."""
    head = _common_start(labels).rstrip("0123456789")
    tail = _common_start([t[::-1] for t in labels])[::-1].lstrip("0123456789")
    numbered = all(len(t) > len(head) + len(tail) and t[len(head):len(t) - len(tail)].isdigit() for t in labels)
    before, _, word = head.rstrip().rpartition(" ")
    if numbered and head.endswith(" ") and word.isalpha():
        return f"{before} each {word}{tail}".strip()
    return f"{labels[0]} (and {len(labels) - 1} like it)"


def _families(model, role_of, names):
    """``{family: [member, ...]}``: drawn variables whose names differ only by a number at the end
    (``outcome_01`` ... ``outcome_11``, one quantity in each of several places: the engine has no
    arrays), of one role and kind, two or more to a family. A family is named ``stem_*``."""
    groups = {}
    for n in names:
        stem, sep, number = n.rpartition("_")
        if sep and stem and number.isdigit():
            groups.setdefault(stem, []).append(n)
    return {f"{stem}_*": members for stem, members in groups.items()
            if len(members) > 1 and len({role_of[m] for m in members}) == 1
            and len({type(model[m]) for m in members}) == 1}


class _Folded:
    """A model seen with its numbered families folded, as the chart reads it: names, and for each
    name its label, description, units and (for a flow) the stock it fills or drains."""

    def __init__(self, model, families):
        self.name, self.label = model.name, model.label
        self.family_of = {m: f for f, members in families.items() for m in members}
        self.names = list(dict.fromkeys(self.family_of.get(n, n) for n in model.names))
        self._model, self._families = model, families
        self._labels = {f: _family_label([model[m].label for m in members]) for f, members in families.items()}

    def __contains__(self, name):
        return name in self.names

    def __getitem__(self, name):
        members = self._families.get(name)
        v = self._model[members[0] if members else name]
        label = self._labels[name] if members else v.label
        into, out_of = getattr(v, "into", None), getattr(v, "out_of", None)
        return SimpleNamespace(label=label, description=v.description, units=v.units,
                               into=self.family_of.get(into, into), out_of=self.family_of.get(out_of, out_of),
                               members=members or [])


def _fold(s, model, owner_of):
    """Fold a chart's structure ``s`` and ``owner_of``: each numbered family becomes one box.

    Returns ``(s, view, owner_of, shared, note)``: the folded structure, the folded model view, the
    owner of each box held by one owner, ``{family: [owners]}`` for a family with several, and a
    sentence for the description (None when nothing folds)."""
    families = _families(model, s["roles"], [n for n in model.names if n in s["roles"]])
    if not families:
        return s, model, owner_of, {}, None
    view = _Folded(model, families)
    f = view.family_of
    links, seen, inside = [], set(), 0
    for a, b, kind in s["links"]:
        key = (f.get(a, a), f.get(b, b), kind)
        if key[0] == key[1]:
            inside += 1
        elif key not in seen:
            seen.add(key)
            links.append(key)
    roles = {f.get(n, n): r for n, r in s["roles"].items()}
    columns = {r: list(dict.fromkeys(f.get(n, n) for n in c)) for r, c in s["columns"].items()}
    levers = list(dict.fromkeys(f.get(n, n) for n in s["levers"]))
    folded_owner, shared = {}, {}
    for n in view.names:
        held = list(dict.fromkeys(owner_of[m] for m in families.get(n, [n]) if m in owner_of))
        if len(held) == 1 and all(m in owner_of for m in families.get(n, [n])):
            folded_owner[n] = held[0]
        elif held:
            shared[n] = held
    examples = [f"{model[m[0]].label} to {model[m[-1]].label.rpartition(' ')[2]} as {view[k].label}"
                for k, m in list(families.items())[:2]]
    note = (f"Folded: {len(families)} boxes each stand for variables that differ only by their number, and "
            f"say how many (×{len(next(iter(families.values())))}): "
            + "; ".join(examples) + ("; and so on" if len(families) > 2 else "") + "."
            + (f" {inside} link{'s' if inside != 1 else ''} between variables of one box "
               f"{'are' if inside != 1 else 'is'} not drawn." if inside else ""))
    return dict(s, links=links, roles=roles, columns=columns, levers=levers), view, folded_owner, shared, note


# --------------------------------------------------------------------------- focus mode and geometry

def _bezier(p0, p1, p2, p3, k=16):
    """Points along a cubic Bézier curve (for measuring crossings)."""
    out = []
    for i in range(k + 1):
        t = i / k
        u = 1 - t
        out.append((u ** 3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t ** 3 * p3[0],
                    u ** 3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t ** 3 * p3[1]))
    return out


def focus_set(model, focus, steps=None, *, roles=None, max_boxes=12, lever_bar=True, _distances=None):
    """What focus mode draws: the variables within ``steps`` links of ``focus`` in the DPM chart.

    Parameters
    ----------
    model : Model
    focus : str
        A variable with a DPM role, or a loop's id or name (``dk.loops(model)``).
    steps : int, optional
        How many links of the full chart to follow, in either direction (default: 1 from
        a variable, 0 from a loop: the loop alone).
    roles : dict, optional
        Role overrides, as in :func:`structure`.
    max_boxes : int
        Most boxes: the nearest are kept (then those declared first); with
        ``lever_bar`` all levers kept count as one box.

    Returns
    -------
    list of str
        The variables kept, nearest first (the focus, or the loop's members with a role,
        first).

    Examples
    --------
    >>> import dpmkit as dk
    >>> dk.dpm.focus_set(dk.models.load("demo"), "staff_target")
    ['staff_target', 'recruitment']
    """
    if steps is None:
        steps = 1 if focus in model.names else 0
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ModelError(f"steps must be a whole number of 0 or more, got {steps!r}")
    if isinstance(max_boxes, bool) or not isinstance(max_boxes, int) or max_boxes < 1:
        raise ModelError(f"max_boxes must be a positive whole number, got {max_boxes!r}")
    s = structure(model, roles)
    role_of = s["roles"]
    if not isinstance(focus, str):
        raise ModelError(f"focus must be the name of a variable or a loop, got {focus!r}")
    if focus in model.names:
        if focus not in role_of:
            raise ModelError(f"focus {focus!r} has no DPM role, so it is not in the DPM chart; focus on a variable "
                             f"with a role, or give it one (roles={{{focus!r}: ...}})", variable=focus)
        seeds = [focus]
    else:
        from .analysis import loops as find_loops

        found = find_loops(model)
        try:
            lp = found[focus]
        except ModelError as err:
            from .expressions import suggest

            raise ModelError(f"focus {focus!r} is neither a variable of model {model.name!r}"
                             + suggest(focus, model.names) + f" nor one of its feedback loops ({err})",
                             variable=focus) from None
        seeds = [m for m in lp.members if m in role_of]
        chain = set(zip(seeds, seeds[1:] + seeds[:1]))
        if not seeds:
            raise ModelError(f"loop {lp.id} passes through no variable with a DPM role, so the DPM chart cannot "
                             "show it; use dk.dpm.loop_diagram(model, which=[...]) instead", variable=focus)
    near = {}
    for a, b, _ in s["links"]:
        near.setdefault(a, set()).add(b)
        near.setdefault(b, set()).add(a)
    order = list(seeds)
    dist = dict.fromkeys(seeds, 0)
    parent = {}
    frontier = list(seeds)
    for d in range(1, steps + 1):
        nxt = []
        for n in frontier:
            for m in sorted(near.get(n, ()), key=model.names.index):
                if m not in dist:
                    dist[m] = d
                    parent[m] = n
                    nxt.append(m)
        nxt.sort(key=lambda m: (role_of[m] == "policy_lever", model.names.index(m)))
        order += nxt
        frontier = nxt
    kept, levers = [], 0
    for n in order:
        is_lever = role_of[n] == "policy_lever"
        boxes = len(kept) - levers + (min(levers, 1) if lever_bar else levers)
        cost = (0 if levers else 1) if (is_lever and lever_bar) else 1
        if boxes + cost > max_boxes:
            if n in seeds:
                raise ModelError(f"focus {focus!r} alone needs more than max_boxes={max_boxes} boxes; raise max_boxes",
                                 variable=focus)
            continue
        kept.append(n)
        levers += is_lever
    if all(role_of[n] == "policy_lever" for n in kept):
        raise ModelError(f"focus {focus!r} is a policy lever that acts on nothing drawn in the DPM chart, so focus "
                         "mode has nothing to show", variable=focus)
    if _distances is not None:
        _distances.update({n: dist[n] for n in kept})
        _distances["\0parent"] = parent
        if focus not in model.names:
            _distances["\0chain"] = chain
    return kept


def _focus_roles(model, focus, steps, roles, max_boxes, lever_bar):
    """Role overrides that leave only the focus set drawn, and a sentence saying so."""
    dist = {}
    kept = focus_set(model, focus, steps, roles=roles, max_boxes=max_boxes, lever_bar=lever_bar, _distances=dist)
    role_of = roles_of(model, roles)
    out = dict(roles or {})
    for n in role_of:
        if n not in kept:
            out[n] = None
    left = len(role_of) - len(kept)
    if steps is None:
        steps = 1 if focus in model.names else 0
    what = repr(model[focus].label) if focus in model.names else f"the feedback loop {focus}"
    around = (f"what connects to it within {steps} link{'s' if steps != 1 else ''} of the full chart" if steps
              else "its own variables with a role, linked in the loop's order")
    note = f"Focus on {what}: {around} ({len(kept)} of {len(role_of)} variables with a role; {left} left out)."
    return out, note, dist


def crossings(diagram):
    """How many pairs of drawn arrows cross, measured on the diagram's geometry.

    Each edge record's ``points`` (the polyline of its path) is tested against every
    other edge that shares no end with it; a pair counts once however often it
    crosses. Touching ends and arrows that run along one another are not counted.

    Examples
    --------
    >>> import dpmkit as dk
    >>> dk.dpm.crossings(dk.dpm.chart(dk.models.load("demo"), focus="staff_target"))
    0
    """
    def cross(p, q, r, t):
        def orient(a, b, c):
            return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        d1, d2, d3, d4 = orient(r, t, p), orient(r, t, q), orient(p, q, r), orient(p, q, t)
        return ((d1 > 1e-9 and d2 < -1e-9) or (d1 < -1e-9 and d2 > 1e-9)) and \
               ((d3 > 1e-9 and d4 < -1e-9) or (d3 < -1e-9 and d4 > 1e-9))

    edges = [e for e in diagram.edges if len(e.get("points") or ()) >= 2]
    boxes = []
    for e in edges:
        xs = [p[0] for p in e["points"]]
        ys = [p[1] for p in e["points"]]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    count = 0
    for i in range(len(edges)):
        for j in range(i + 1, len(edges)):
            a, b = edges[i], edges[j]
            if {a["source"], a["target"]} & {b["source"], b["target"]}:
                continue
            bi, bj = boxes[i], boxes[j]
            if bi[2] < bj[0] or bj[2] < bi[0] or bi[3] < bj[1] or bj[3] < bi[1]:
                continue
            pa, pb = a["points"], b["points"]
            if any(cross(pa[k], pa[k + 1], pb[m], pb[m + 1])
                   for k in range(len(pa) - 1) for m in range(len(pb) - 1)):
                count += 1
    return count


# --------------------------------------------------------------------------- the DPM chart

def _order_column(names, anchors, positions):
    """Order a column by the mean position of each node's linked nodes (barycentre)."""
    def key(n):
        ps = [positions[a] for a in anchors.get(n, ()) if a in positions]
        return (sum(ps) / len(ps)) if ps else float("inf")
    indexed = {n: i for i, n in enumerate(names)}
    return sorted(names, key=lambda n: (key(n), indexed[n]))


def _middle_gap(col_a, col_b, curve, middle):
    """For an arrow from the first column to the last, drawn as ``curve`` (points): when it would
    pass behind a box of the middle column, the height of the gap between those boxes (or above or
    below them) nearest to where it crosses the column; else None."""
    if not (col_a == 0 and col_b == 2) or not middle:
        return None
    middle = sorted(middle, key=lambda b: b["y"])
    left, right = middle[0]["x"] - 4, middle[0]["x"] + middle[0]["w"] + 4
    inside = [(x, y) for x, y in curve if left <= x <= right]
    if not any(b["y"] - 6 <= y <= b["y"] + b["h"] + 6 for _, y in inside for b in middle):
        return None
    want = sum(y for _, y in inside) / len(inside)
    gaps = [middle[0]["y"] - 11] + [(p["y"] + p["h"] + q["y"]) / 2 for p, q in pairwise(middle)]
    gaps.append(middle[-1]["y"] + middle[-1]["h"] + 11)
    return min(gaps, key=lambda g: (abs(g - want), g))


def _straight_crossings(cols, links, only=None):
    """Crossings of straight lines between column slots (columns centred on one another): a quick
    stand-in for the drawn arrows while ordering the columns. ``only``: count pairs touching these."""
    at = {}
    for ci, c in enumerate(cols):
        for i, n in enumerate(c):
            at[n] = (ci, i - (len(c) - 1) / 2)
    segs = [(at[a], at[b], a, b) for a, b in links if a in at and b in at]
    count = 0
    for i in range(len(segs)):
        p, q, a, b = segs[i]
        for r, t, c, d in segs[i + 1:]:
            if only is not None and not ({a, b, c, d} & only):
                continue
            if {a, b} & {c, d}:
                continue
            if max(p[0], q[0]) <= min(r[0], t[0]) or max(r[0], t[0]) <= min(p[0], q[0]):
                continue  # no shared stretch between columns
            d1 = (t[0] - r[0]) * (p[1] - r[1]) - (t[1] - r[1]) * (p[0] - r[0])
            d2 = (t[0] - r[0]) * (q[1] - r[1]) - (t[1] - r[1]) * (q[0] - r[0])
            d3 = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
            d4 = (q[0] - p[0]) * (t[1] - p[1]) - (q[1] - p[1]) * (t[0] - p[0])
            if d1 * d2 < 0 and d3 * d4 < 0:
                count += 1
    return count


def _refine_order(cols, links, passes=4):
    """Swap neighbours within a column while that removes crossings (after the barycentre sweeps).

    Deterministic, and bounded: a few passes, each trying every adjacent swap once."""
    cols = [list(c) for c in cols]
    if len(links) > 90:
        return cols
    for _ in range(passes):
        improved = False
        for c in cols:
            for i in range(len(c) - 1):
                pair = {c[i], c[i + 1]}
                before = _straight_crossings(cols, links, pair)
                c[i], c[i + 1] = c[i + 1], c[i]
                if _straight_crossings(cols, links, pair) < before:
                    improved = True
                else:
                    c[i], c[i + 1] = c[i + 1], c[i]
        if not improved:
            break
    return cols


def chart(model, view="instrumental", *, owners=None, roles=None, title=None, focus=None, steps=None, levers=None,
          max_boxes=12, stages=None, fold=False):
    """The DPM chart of a model, in one of three views.

    Parameters
    ----------
    model : Model
    view : {"objective", "instrumental", "subjective"}
        What to emphasise: see :data:`VIEW_NOTES`. The layout is the same in every
        view, so switching views keeps each box in its place.
    owners : dict, optional
        Who is responsible for what, for the subjective view: ``{"Council":
        ["cut_fraction", ...], "Police": [...]}`` (or ``{variable: owner}``).
    roles : dict, optional
        Override declared roles (see :func:`structure`).
    title : str, optional
    focus : str, optional
        **Focus mode**, for models too large to read whole: a variable with a role (a
        lever, a driver, an end result or a resource) or a feedback loop's id or name
        from ``dk.loops(model)``. Only what connects to it within ``steps`` links of the
        chart is drawn, nearest first, at most ``max_boxes`` boxes (the levers' bar
        counts as one). Links through variables left out are followed, as always.
    steps : int, optional
        How far from the focus to look (default 1 from a variable: its direct neighbours in
        the chart; 0 from a loop: the loop's own members, linked in the loop's order).
    levers : {"boxes", "bar"}, optional
        ``"bar"`` collapses the policy levers into one bar across the top, numbered
        L1, L2, ...; each box a lever acts on carries the lever's number instead of an
        arrow, so lever arrows no longer cross the chart. Default: ``"bar"`` in focus
        mode, else ``"boxes"``.
    max_boxes : int
        Most boxes drawn in focus mode.
    stages : collection of str, optional
        Draw only some parts, keeping every box where the whole chart puts it (story
        mode, :func:`dpmkit.charts.story`): any of :data:`STAGES`.
    fold : bool
        **Fold numbered families**, for models that repeat one structure in several
        places (the engine has no arrays, so the attractor model's eleven localities
        are ``outcome_01`` ... ``outcome_11``): variables whose names differ only by a
        number at the end, of one role, are drawn as one box ("Outcome, each
        locality", marked ×11), and a link is drawn once. Its node record lists the ``members``;
        in the subjective view a box held by several owners lists them (``owners``)
        and says how many. Not with ``focus``.

    Returns
    -------
    Diagram
        Displays as SVG; ``.description`` lists what is drawn; ``.save(path)``.
        Each edge record carries ``points``, the polyline of its drawn path (see
        :func:`crossings`).

    Examples
    --------
    >>> import dpmkit as dk
    >>> m = dk.models.load("demo")
    >>> d = dk.dpm.chart(m, "subjective", owners={"Council": ["staff_target"]})
    >>> [n["owner"] for n in d.nodes if n["name"] == "staff_target"]
    ['Council']
    >>> small = dk.dpm.chart(dk.models.load("surrey"), focus="becoming_neet")
    >>> len(small.nodes) <= 12
    True
    >>> folded = dk.dpm.chart(dk.models.load("attractor"), fold=True)  # eleven localities, one box each
    >>> [n["label"] for n in folded.nodes if n["name"] == "outcome_*"], len(folded.nodes)
    (['Outcome, each locality'], 15)
    """
    if view not in VIEWS:
        raise ModelError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    if levers is None:
        levers = "bar" if focus is not None else "boxes"
    if levers not in ("boxes", "bar"):
        raise ModelError(f"levers must be 'boxes' or 'bar', got {levers!r}")
    if fold and focus is not None:
        raise ModelError("fold and focus cannot be combined: fold draws the whole model with repeated parts "
                         "as one box; focus draws the part near one variable")
    if stages is not None:
        stages = set([stages] if isinstance(stages, str) else stages)
        unknown = stages - set(STAGES)
        if unknown:
            raise ModelError(f"stages must be among {', '.join(STAGES)}; got {', '.join(sorted(unknown))}")
    focus_note = None
    if focus is not None:
        roles, focus_note, dist = _focus_roles(model, focus, steps, roles, max_boxes, levers == "bar")
    s = structure(model, roles)
    if focus is not None:
        # Links run outwards from the focus, one step at a time; links between variables at the same
        # distance (other than the focus itself, or a loop's own members) are left out, and counted.
        chain = dist.pop("\0chain", None)
        parent = dist.pop("\0parent")

        def outward(a, b):
            near, far = (a, b) if dist[a] < dist[b] else (b, a)
            if dist[far] - dist[near] != 1:
                return False
            return dist[near] == 0 or parent.get(far) == near  # beyond one step: the path it was reached by

        kept_links = [(a, b, k) for a, b, k in s["links"]
                      if outward(a, b) or (dist[a] == dist[b] == 0 and (chain is None or (a, b) in chain))]
        dropped = len(s["links"]) - len(kept_links)
        if dropped:
            focus_note += (f" Only links outwards from the focus are drawn (beyond one step, only the link each "
                           f"variable was reached by): {dropped} other link{'s' if dropped != 1 else ''} "
                           + ("(between the loop's members too) " if chain is not None else "") + "are left out.")
        s = dict(s, links=kept_links)
    owned = owner_of = _owners(model, owners)
    original, shared, fold_note = model, {}, None
    if fold:
        s, model, owner_of, shared, fold_note = _fold(s, model, owner_of)
    links = s["links"]
    cols = [list(s["columns"][r]) for r, _ in COLUMNS]
    preds, succs = {}, {}
    for a, b, kind in links:
        if kind in ("drives", "within"):
            preds.setdefault(b, []).append(a)
            succs.setdefault(a, []).append(b)
    # Two barycentre sweeps keep arrows short and mostly uncrossed, deterministically.
    for _ in range(2):
        pos = {n: i for c in cols for i, n in enumerate(c)}
        cols[1] = _order_column(cols[1], preds, pos)
        pos = {n: i for c in cols for i, n in enumerate(c)}
        cols[2] = _order_column(cols[2], preds, pos)
        pos = {n: i for c in cols for i, n in enumerate(c)}
        cols[0] = _order_column(cols[0], succs, pos)
    cols = _refine_order(cols, [(a, b) for a, b, k in links if k == "drives"])

    def label_of(n):
        return model[n].label

    # Geometry.
    lever_names = s["levers"]
    bar = levers == "bar" and bool(lever_names)
    lever_lines = {n: _wrap(label_of(n), 17) for n in lever_names}
    node_lines = {n: _wrap(label_of(n)) for c in cols for n in c}
    def node_h(n):
        extra = _LINE if view == "subjective" and (n in owner_of or n in shared) else 0
        return len(node_lines[n]) * _LINE + 2 * _PAD - 4 + extra
    n_feedback = sum(1 for _, _, k in links if k == "feedback")
    role_col = {r: i for i, (r, _) in enumerate(COLUMNS)}
    n_lever_first = 0 if bar else sum(1 for _, b, k in links if k == "lever" and role_col[s["roles"][b]] == 0)
    # Room on the left for the lanes entering the resources: feedback first, then levers.
    left_margin = 34 + 8 * n_feedback + 7 * n_lever_first
    col_x = [left_margin + i * (_NODE_W + _GAP) for i in range(3)]
    right_margin = 40 + 9 * max(1, n_feedback)
    width = col_x[2] + _NODE_W + right_margin
    title_text = title or (f"{model.label}: DPM chart" + (
        "" if focus is None else f", focus on {model[focus].label if focus in model.names else 'loop ' + focus}"))
    # A title wider than the chart wraps (a folded chart is narrow; a game's title is long).
    title_lines = _wrap(title_text, int((max(width, 820) - 40) / (24 * 0.58)))
    y = 64 + 30 * (len(title_lines) - 1)
    boxes = {}
    # Levers along the top, each above the middle of what it acts on.
    lever_targets = {}
    for a, b, kind in links:
        if kind == "lever":
            lever_targets.setdefault(a, []).append(b)
    lever_y = y + 30
    owned_lever = view == "subjective" and any(n in owner_of or n in shared for n in lever_names)
    lever_h = max([len(v) for v in lever_lines.values()] or [1]) * _LINE + 2 * _PAD - 4 + (_LINE if owned_lever else 0)
    if bar:
        # One bar for all levers, numbered in the order of what they act on (left to right, top to bottom).
        def first_target(n):
            ts = list(lever_targets.get(n, ()))
            return min(((role_col[s["roles"][t]], cols[role_col[s["roles"][t]]].index(t)) for t in ts),
                       default=(9, 0))
        lever_names = sorted(lever_names, key=lambda n: (first_target(n), lever_names.index(n)))
        lever_tag = {n: f"L{i + 1}" for i, n in enumerate(lever_names)}
        bar_text = "   ".join(f"{lever_tag[n]} {label_of(n)}" for n in lever_names)
        bar_lines = _wrap(bar_text, max(30, int((max(width, 820) - 80) / (_FONT * 0.55))))
        lever_h = len(bar_lines) * _LINE + 2 * _PAD - 4
    if lever_names:
        y = lever_y + lever_h + 40
    header_y = y + 10
    top = header_y + 26
    heights = [sum(node_h(n) + 22 for n in c) for c in cols]
    tallest = max(heights + [60])
    for i, c in enumerate(cols):
        yy = top + (tallest - heights[i]) / 2
        for n in c:
            h = node_h(n)
            boxes[n] = {"x": col_x[i], "y": yy, "w": _NODE_W, "h": h, "col": i}
            yy += h + 22
    bottom = top + tallest
    # Place levers: sort by the mean x of their targets, then space them out evenly.
    lever_w = 180
    def target_x(n):
        xs = [boxes[t]["x"] + boxes[t]["w"] / 2 for t in lever_targets.get(n, ()) if t in boxes]
        return sum(xs) / len(xs) if xs else width / 2
    ordered = [] if bar else sorted(lever_names, key=lambda n: (target_x(n), lever_names.index(n)))
    if ordered:
        slots = max(len(ordered), 1)
        span = width - 2 * 20
        step = max(lever_w + 16, span / slots)
        if step * slots > span + 1e-9:
            width = 40 + step * slots
        xs = [20 + step * k + (step - lever_w) / 2 for k in range(slots)]
        # Pull each lever towards its targets while keeping order and spacing.
        wanted = [target_x(n) - lever_w / 2 for n in ordered]
        for k in range(slots):
            lo = 20 if k == 0 else xs[k - 1] + lever_w + 16
            xs[k] = max(lo, min(wanted[k], width - 20 - lever_w * (slots - k) - 16 * (slots - k - 1)))
        for n, x in zip(ordered, xs):
            boxes[n] = {"x": x, "y": lever_y, "w": lever_w, "h": lever_h, "col": -1}

    emphasis = {}
    roles_of = s["roles"]
    for n in boxes:
        r = roles_of[n]
        if view == "objective":
            emphasis[n] = 1.0 if r in ("end_result", "strategic_resource") else 0.35
        elif view == "subjective":
            emphasis[n] = 1.0 if (n in owner_of or n in shared or (not owned and r == "policy_lever")) else 0.35
        else:
            emphasis[n] = 1.0

    def edge_emphasis(a, b, kind):
        if view == "objective":
            return 1.0 if kind == "feedback" and roles_of[a] == "end_result" else 0.25
        if view == "subjective":
            return 1.0 if kind == "lever" else 0.3
        return 1.0

    # Ports: spread the arrows entering or leaving a side along that side.
    def spread(n, side, others):
        b = boxes[n]
        others = sorted(others, key=lambda o: boxes[o]["y"] + boxes[o]["h"] / 2)
        k = len(others)
        out = {}
        for i, o in enumerate(others):
            frac = (i + 1) / (k + 1)
            if side in ("left", "right"):
                out[o] = b["y"] + 8 + frac * (b["h"] - 16)
            else:
                out[o] = b["x"] + 10 + frac * (b["w"] - 20)
        return out

    out_right, in_left = {}, {}
    for a, b, kind in links:
        if kind == "drives":
            out_right.setdefault(a, []).append(b)
            in_left.setdefault(b, []).append(a)
    # Feedback lanes nest without crossing when links into the middle column take the inner lanes (their
    # climb to the target then stays clear of the lanes below), then the lowest-leaving, lowest-entering links.
    feedback = sorted(((a, b) for a, b, k in links if k == "feedback"),
                      key=lambda ab: (-boxes[ab[1]]["col"], -(boxes[ab[0]]["y"] + boxes[ab[1]]["y"])))
    lever_links = [(a, b) for a, b, k in links if k == "lever"]
    for a, b in feedback:
        out_right.setdefault(a, []).append(b)
        in_left.setdefault(b, []).append(a)
    for a, b in ([] if bar else lever_links):
        in_left.setdefault(b, []).append(a)
    port_out = {n: spread(n, "right", v) for n, v in out_right.items()}
    port_in = {n: spread(n, "left", v) for n, v in in_left.items()}

    def node_shown(n):
        return stages is None or roles_of[n] in stages

    def edge_shown(a, b, kind, main=False):
        if not (node_shown(a) and node_shown(b)):
            return False
        if stages is None or main or kind == "lever":
            return True
        # Influences arrive with the drivers; other feedback with the loops.
        return "feedback" in stages if kind == "feedback" else "performance_driver" in stages

    edges_svg, edge_records = [], []
    # Forward links: smooth curves across the gap between columns.
    for a, b, kind in links:
        if kind != "drives":
            continue
        ba, bb = boxes[a], boxes[b]
        x1, y1 = ba["x"] + ba["w"], port_out[a][b]
        x2, y2 = bb["x"] - 2, port_in[b][a]
        dx = max(50.0, (x2 - x1) * 0.45)
        op = edge_emphasis(a, b, kind)
        if not edge_shown(a, b, kind):
            continue
        gap = _middle_gap(ba["col"], bb["col"], _bezier((x1, y1), (x1 + dx, y1), (x2 - dx, y2), (x2, y2), 48),
                          [boxes[n] for n in cols[1] if node_shown(n)])
        if gap is None:
            d = (f"M{x1:.1f},{y1:.1f} C{x1 + dx:.1f},{y1:.1f} {x2 - dx:.1f},{y2:.1f} {x2:.1f},{y2:.1f}")
            points = _bezier((x1, y1), (x1 + dx, y1), (x2 - dx, y2), (x2, y2))
        else:
            # From a resource straight to an end result: through a gap between the drivers, not behind them.
            xa, xb = col_x[1] - 10, col_x[1] + _NODE_W + 10
            da, db = max(30.0, (xa - x1) * 0.45), max(30.0, (x2 - xb) * 0.45)
            d = (f"M{x1:.1f},{y1:.1f} C{x1 + da:.1f},{y1:.1f} {xa - da:.1f},{gap:.1f} {xa:.1f},{gap:.1f} "
                 f"L{xb:.1f},{gap:.1f} C{xb + db:.1f},{gap:.1f} {x2 - db:.1f},{y2:.1f} {x2:.1f},{y2:.1f}")
            points = (_bezier((x1, y1), (x1 + da, y1), (xa - da, gap), (xa, gap))
                      + _bezier((xb, gap), (xb + db, gap), (x2 - db, y2), (x2, y2)))
        edges_svg.append(f'<path d="{d}" fill="none" stroke="#444" stroke-width="2.2" opacity="{op:.2f}" '
                         f'marker-end="url(#arrow-grey)">'
                         f'<title>{escape(label_of(a))} → {escape(label_of(b))}</title></path>')
        edge_records.append({"source": a, "target": b, "kind": kind, "points": points})
    # Links within a column: a bracket bulging into the gap on the right.
    within_count = {}
    for a, b, kind in links:
        if kind != "within":
            continue
        ba, bb = boxes[a], boxes[b]
        k = within_count.get(ba["col"], 0)
        within_count[ba["col"]] = k + 1
        x = ba["x"] + ba["w"]
        y1, y2 = ba["y"] + ba["h"] * 0.7, bb["y"] + bb["h"] * 0.3
        bulge = 26 + 8 * k
        op = edge_emphasis(a, b, kind)
        if not edge_shown(a, b, kind):
            continue
        edges_svg.append(f'<path d="M{x:.1f},{y1:.1f} C{x + bulge:.1f},{y1:.1f} {x + bulge:.1f},{y2:.1f} '
                         f'{x + 2:.1f},{y2:.1f}" '
                         f'fill="none" stroke="#444" stroke-width="2" stroke-dasharray="6 4" opacity="{op:.2f}" '
                         f'marker-end="url(#arrow-grey)">'
                         f'<title>{escape(label_of(a))} → {escape(label_of(b))}</title></path>')
        edge_records.append({"source": a, "target": b, "kind": kind,
                             "points": _bezier((x, y1), (x + bulge, y1), (x + bulge, y2), (x + 2, y2))})
    # Feedback: out of the right side, down a lane, along the bottom, up the far left, into the resource.
    lane = 0
    for a, b in feedback:
        ba, bb = boxes[a], boxes[b]
        x1, y1 = ba["x"] + ba["w"], port_out[a][b]
        x2, y2 = bb["x"] - 2, port_in[b][a]
        right = (col_x[ba["col"]] + _NODE_W + 16 + 9 * lane) if ba["col"] == 2 else (ba["x"] + ba["w"] + 18 + 9 * lane)
        low = bottom + 22 + 10 * lane
        left = col_x[0] - 14 - 8 * lane if bb["col"] == 0 else bb["x"] - 18 - 9 * lane
        lane += 1
        # Orange only where an end result fills or drains the resource itself (as the legend says).
        main = roles_of[a] == "end_result" and b in (getattr(model[a], "into", None), getattr(model[a], "out_of", None))
        colour, marker, width_ = ("#D55E00", "arrow-red", 2.8) if main else ("#0072B2", "arrow-blue", 2.0)
        dash = "" if main else ' stroke-dasharray="7 4"'
        op = edge_emphasis(a, b, "feedback")
        if not edge_shown(a, b, "feedback", main):
            continue
        edges_svg.append(
            f'<path d="M{x1:.1f},{y1:.1f} L{right:.1f},{y1:.1f} L{right:.1f},{low:.1f} L{left:.1f},{low:.1f} '
            f'L{left:.1f},{y2:.1f} L{x2:.1f},{y2:.1f}" fill="none" stroke="{colour}" stroke-width="{width_}" '
            f'stroke-linejoin="round"{dash} opacity="{op:.2f}" marker-end="url(#{marker})">'
            f'<title>{escape(label_of(a))} changes {escape(label_of(b))} (feedback)</title></path>')
        edge_records.append({"source": a, "target": b, "kind": "feedback", "main": main,
                             "points": [(x1, y1), (right, y1), (right, low), (left, low), (left, y2), (x2, y2)]})
    bottom_lanes = bottom + 22 + 10 * max(lane, 1)
    # Levers: down from the lever, then along a lane left of the target's column, into its left side.
    lever_lane = {}
    for a, b in ([] if bar else lever_links):
        if not edge_shown(a, b, "lever"):
            continue
        ba, bb = boxes[a], boxes[b]
        x1 = ba["x"] + ba["w"] / 2
        y1 = ba["y"] + ba["h"]
        k = lever_lane.get(bb["col"], 0)
        lever_lane[bb["col"]] = k + 1
        chan = bb["x"] - 40 - 7 * k if bb["col"] > 0 else col_x[0] - 24 - 8 * n_feedback - 7 * k
        y_mid = header_y - 14 - 5 * (k % 3)
        y2 = port_in[b][a]
        op = edge_emphasis(a, b, "lever")
        edges_svg.append(
            f'<path d="M{x1:.1f},{y1:.1f} L{x1:.1f},{y_mid:.1f} L{chan:.1f},{y_mid:.1f} L{chan:.1f},{y2:.1f} '
            f'L{bb["x"] - 2:.1f},{y2:.1f}" fill="none" stroke="#009E73" stroke-width="2" stroke-dasharray="2 4" '
            f'stroke-linecap="round" stroke-linejoin="round" opacity="{op:.2f}" marker-end="url(#arrow-green)">'
            f'<title>{escape(label_of(a))} acts on {escape(label_of(b))}</title></path>')
        edge_records.append({"source": a, "target": b, "kind": "lever",
                             "points": [(x1, y1), (x1, y_mid), (chan, y_mid), (chan, y2), (bb["x"] - 2, y2)]})

    # Owners: colour plus a name tag.
    owner_names = list(dict.fromkeys(owned[n] for n in original.names if n in owned))
    owner_colour = {o: _OWNER_COLOURS[i % len(_OWNER_COLOURS)] for i, o in enumerate(owner_names)}
    styles = {
        "strategic_resource": ("#dce9f3", "#0b3d66", 2.5, 0),
        "performance_driver": ("#fdf1dc", "#8a5a00", 2.0, 14),
        "end_result": ("#fbe3d8", "#8b2f00", 2.0, 30),
        "policy_lever": ("#e3f4ec", "#006b4f", 2.0, 4),
    }
    node_records = []
    nodes_svg = []
    for n, b in boxes.items():
        if not node_shown(n):
            continue
        role = roles_of[n]
        fill, stroke, sw, rx = styles[role]
        op = emphasis[n]
        owner = owner_of.get(n)
        if view == "subjective" and owner:
            stroke, sw = owner_colour[owner], 4
        elif view == "subjective" and n in shared:
            stroke, sw = "#333333", 4
        desc = model[n].description
        members = getattr(model[n], "members", None) or []
        held = "; ".join(f"{original[m].label}: {owned.get(m, 'no one')}" for m in members)
        tip = escape(f"{words.axis_title(model[n])}"
                     f"{': ' + desc if desc else ''}"
                     + (f". One box for {len(members)}: " + (held if view == "subjective" and owned else
                                                              ", ".join(original[m].label for m in members))
                        if members else ""))
        nodes_svg.append(f'<g opacity="{op:.2f}"><title>{tip}</title>'
                         f'<rect x="{b["x"]:.1f}" y="{b["y"]:.1f}" width="{b["w"]:.1f}" height="{b["h"]:.1f}" '
                         f'rx="{rx}" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>')
        lines = lever_lines[n] if role == "policy_lever" else node_lines[n]
        ty = b["y"] + _PAD + _FONT - 3
        nodes_svg.append(_text(b["x"] + b["w"] / 2, ty, lines, weight="bold" if op == 1.0 and view != "instrumental"
                               else "normal"))
        if view == "subjective" and (owner or n in shared):
            nodes_svg.append(_text(b["x"] + b["w"] / 2, b["y"] + b["h"] - 10,
                                   [f"● {owner}" if owner else f"● {len(shared[n])} owners"], size=_SMALL,
                                   fill=owner_colour[owner] if owner else "#333333", weight="bold"))
        if members:  # how many variables the folded box stands for, in its top-left corner
            cw = 14 + 9.5 * len(str(len(members)))
            nodes_svg.append(f'<rect x="{b["x"] - 6:.1f}" y="{b["y"] - 11:.1f}" width="{cw:.1f}" height="22" rx="11" '
                             f'fill="#ffffff" stroke="#555555" stroke-width="1.5"/>'
                             + _text(b["x"] - 6 + cw / 2, b["y"] + 5, [f"×{len(members)}"], size=_SMALL,
                                     weight="bold", fill="#333333"))
        tags = []
        if bar and node_shown(lever_names[0]):
            tags = [lever_tag[a] for a in lever_names if n in lever_targets.get(a, ())]
        if tags:
            tw = 10 + 9.5 * len(" ".join(tags))
            tx, ty2 = b["x"] + b["w"] - tw + 6, b["y"] - 11
            nodes_svg.append(f'<rect x="{tx:.1f}" y="{ty2:.1f}" width="{tw:.1f}" height="22" rx="11" '
                             f'fill="#e3f4ec" stroke="#006b4f" stroke-width="1.5"/>'
                             + _text(tx + tw / 2, ty2 + 16, [" ".join(tags)], size=_SMALL, weight="bold",
                                     fill="#006b4f"))
        nodes_svg.append("</g>")
        node_records.append({"name": n, "label": model[n].label, "role": role, "x": b["x"], "y": b["y"],
                             "w": b["w"], "h": b["h"], "owner": owner, "emphasis": op, "levers": tags,
                             **({"members": list(members), "owners": shared.get(n, [owner] if owner else [])}
                                if members else {})})
    if bar and node_shown(lever_names[0]):
        bw = max(width, 820) - 40
        nodes_svg.append(f'<g><title>{escape("Policy levers: " + ", ".join(label_of(n) for n in lever_names))}</title>'
                         f'<rect x="20" y="{lever_y:.1f}" width="{bw:.1f}" height="{lever_h:.1f}" rx="4" '
                         f'fill="#e3f4ec" stroke="#006b4f" stroke-width="2"/>'
                         + _text(34, lever_y + _PAD + _FONT - 3, bar_lines, anchor="start") + "</g>")
        node_records.append({"name": "policy_levers", "label": "Policy levers", "role": "policy_lever", "x": 20.0,
                             "y": lever_y, "w": bw, "h": lever_h, "owner": None, "emphasis": 1.0, "levers": [],
                             "members": list(lever_names)})
    heads = []
    for i, (_, heading) in enumerate(COLUMNS):
        heads.append(_text(col_x[i] + _NODE_W / 2, header_y + 8, [heading], size=19, weight="bold", fill="#222"))
    if lever_names:
        heads.append(_text(20, lever_y - 10, ["Policy levers"], size=19, weight="bold", anchor="start", fill="#006b4f"))
    note_y = bottom_lanes + 30
    note_lines = _wrap(VIEW_NOTES[view], int((max(width, 820) - 40) / (_SMALL * 0.52)))
    note_y += (len(note_lines) - 1) * _LINE * _SMALL / _FONT
    tagged = bar and any(r["levers"] for r in node_records)
    keys, rows = _legend_keys(note_y + 22, max(width, 820), edge_records, tagged)
    legend = [
        _text(20, note_y - (len(note_lines) - 1) * _LINE * _SMALL / _FONT, note_lines, size=_SMALL, anchor="start",
              fill="#333"),
        *keys,
    ]
    note_y += _LEGEND_ROW * (rows - 1)
    folded_sizes = [len(getattr(model[n], "members", None) or ()) for n in boxes]
    if max(folded_sizes, default=0):
        k = max(folded_sizes)
        legend.append(_text(20, note_y + 52, [f"×{k} on a box: it stands for {k} variables that differ only by "
                                              "their number, one in each place (e.g. each locality)"],
                            size=_SMALL, anchor="start", fill="#333"))
        note_y += _LEGEND_ROW
    if view == "subjective":
        if owner_names:
            legend.append(_text(20, note_y + 52, ["Responsible: " + "; ".join(owner_names)], size=_SMALL,
                                anchor="start", fill="#333"))
        else:
            legend.append(_text(20, note_y + 52, ["No responsibilities given: pass owners={'Council': [...], ...} "
                                                  "to show who acts on what."], size=_SMALL, anchor="start",
                                fill="#8b0000"))
    height = note_y + (70 if view == "subjective" else 45)
    width = max(width, 820)
    title_svg = _text(20, 32, title_lines, size=24, weight="bold", anchor="start")

    counts = [len(c) for c in cols]
    lines = [f"DPM chart of {model.label}, {view} view "
             f"({ {'objective': 'what', 'instrumental': 'how', 'subjective': 'who'}[view] }): "
             f"{words.count(counts[0], 'strategic resource')}, {words.count(counts[1], 'performance driver')}, "
             f"{words.count(counts[2], 'end result')}, {words.count(len(lever_names), 'policy lever')}."]
    lines.append(VIEW_NOTES[view])
    if focus_note:
        lines.append(focus_note)
    if fold_note:
        lines.append(fold_note)
    for (_role, heading), c in zip(COLUMNS, cols):
        if c:
            lines.append(f"{heading}: {', '.join(label_of(n) for n in c)}.")
    if lever_names:
        lines.append("Policy levers" + (" (one bar; each box they act on carries their number)" if bar else "")
                     + ": " + "; ".join(
            f"{lever_tag[a] + ' ' if bar else ''}{label_of(a)} acts on "
            f"{', '.join(label_of(b) for b in lever_targets.get(a, [])) or 'nothing drawn'}"
            for a in lever_names) + ".")
    drives = [f"{label_of(a)} → {label_of(b)}" for a, b, k in links if k in ("drives", "within")]
    if drives:
        lines.append("Influences: " + "; ".join(drives) + ".")
    if feedback:
        def verb(a, b):
            v = model[a]
            return "fills" if getattr(v, "into", None) == b else "drains" if getattr(v, "out_of", None) == b else ""
        own = [f"{label_of(a)} {verb(a, b)} {label_of(b)}" for a, b in feedback if verb(a, b)]
        other = [f"{label_of(a)} → {label_of(b)}" for a, b in feedback if not verb(a, b)]
        if own:
            lines.append("Feedback to resources: " + "; ".join(own) + ".")
        if other:
            lines.append("Other feedback: " + "; ".join(other) + ".")
    if view == "subjective":
        if owner_names:
            for o in owner_names:
                lines.append(f"{o} is responsible for: "
                             f"{', '.join(original[n].label for n in original.names if owned.get(n) == o)}.")
        else:
            lines.append("No responsibilities were given (owners=...).")
    description = "\n".join(lines)
    svg = _svg(width, height, title_svg + "".join(heads) + "".join(edges_svg) + "".join(nodes_svg) + "".join(legend),
               f"{title_text} ({view} view)", description)
    return Diagram(svg, description, node_records, edge_records)


def _legend_keys(y, width, edge_records, lever_tags):
    """The legend's keys, only for what the chart draws: influences, the two kinds of
    feedback, lever arrows (``levers="boxes"``) or the lever numbers on boxes (the bar)."""
    kinds = {("feedback-main" if r.get("main") else "feedback") if r["kind"] == "feedback"
             else "influence" if r["kind"] in ("drives", "within") else r["kind"] for r in edge_records}
    keys = [
        ("influence", '<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="#444" stroke-width="2.2"/>', "influences"),
        ("feedback-main", '<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="#D55E00" stroke-width="2.8"/>',
         "end result fills or drains a resource"),
        ("feedback", '<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="#0072B2" stroke-width="2" '
                     'stroke-dasharray="7 4"/>', "other feedback"),
        ("lever", '<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="#009E73" stroke-width="2" '
                  'stroke-dasharray="2 4"/>', "lever acts on"),
        ("lever-tag", '<rect x="{x}" y="{top}" width="40" height="22" rx="11" fill="#e3f4ec" stroke="#006b4f" '
                      'stroke-width="1.5"/>' + '<text x="{mid}" y="{base}" text-anchor="middle" font-size="14" '
                      'font-weight="bold" fill="#006b4f">L1</text>', "lever L1 of the bar acts on this box"),
    ]
    out, x, rows = [], 20.0, 1
    for kind, mark, label in keys:
        if kind not in kinds and not (kind == "lever-tag" and lever_tags):
            continue
        size = 46 + len(label) * _SMALL * 0.5
        if x > 20 and x + size > width - 20:  # next row
            x, y, rows = 20.0, y + _LEGEND_ROW, rows + 1
        out.append(mark.format(x=f"{x:.0f}", x2=f"{x + 40:.0f}", y=f"{y:.0f}", top=f"{y - 11:.0f}",
                               mid=f"{x + 20:.0f}", base=f"{y + 5:.0f}"))
        out.append(_text(x + 46, y + 5, [label], size=_SMALL, anchor="start"))
        x += size + 20
    return out, rows


# --------------------------------------------------------------------------- loop diagram

def _curve(p, q, bend):
    """Quadratic curve from p to q bending ``bend`` px to the left of the direction of travel."""
    (x1, y1), (x2, y2) = p, q
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    return (mx + nx * bend, my + ny * bend)


def _trim(p, c, half_w, half_h):
    """The point where the segment from the control point ``c`` to the centre ``p`` leaves a box."""
    (px, py), (cx, cy) = p, c
    dx, dy = cx - px, cy - py
    if dx == 0 and dy == 0:
        return p
    t = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    return (px + dx * t, py + dy * t)


def _crossings(order, links):
    """How many pairs of chords cross when ``order`` is placed round a circle, plus a small
    charge for long chords (so that linked variables end up near each other)."""
    at = {n: i for i, n in enumerate(order)}
    n = len(order)
    chords = [tuple(sorted((at[a], at[b]))) for a, b in links if a != b]
    count = 0
    for i in range(len(chords)):
        a, b = chords[i]
        for c, d in chords[i + 1:]:
            if (a < c < b < d) or (c < a < d < b):
                count += 1
    length = sum(min(b - a, n - (b - a)) for a, b in chords)
    return count + 0.01 * length


def _circle_order(order, links, passes=4):
    """Improve the order round the circle by swapping pairs while that removes crossings.

    Deterministic (fixed scan order), and bounded: a few passes of O(n^2) swaps.
    """
    best = list(order)
    score = _crossings(best, links)
    for _ in range(passes):
        improved = False
        for i in range(len(best)):
            for j in range(i + 1, len(best)):
                trial = list(best)
                trial[i], trial[j] = trial[j], trial[i]
                s = _crossings(trial, links)
                if s < score - 1e-9:
                    best, score, improved = trial, s, True
        if not improved:
            break
    return best


def loop_diagram(model, loops=None, *, which=None, focus=None, minor=False, max_loops=8, title=None):
    """A causal-loop diagram of the model's feedback loops, each labelled R or B.

    Parameters
    ----------
    model : Model
    loops : LoopSet, optional
        What ``dk.loops(model)`` returns (found here if not given).
    which : list of str, optional
        Loop ids or names to draw (default: the first ``max_loops``).
    focus : str, optional
        Draw only the loops through this variable, shortest first (at most ``max_loops``),
        so that a large model's diagram stays legible.
    minor : bool
        Include the two-variable loops between a stock and its own flow (a stock
        adjusting towards a goal, or draining in proportion to itself). Off by
        default: they are everywhere and hide the loops that tell the story.
    max_loops : int
    title : str, optional

    Returns
    -------
    Diagram
        ``.loops`` holds each drawn loop's id, polarity, members and label position.

    Examples
    --------
    >>> import dpmkit as dk
    >>> d = dk.dpm.loop_diagram(dk.models.load("demo"))
    >>> sorted(lp["id"] for lp in d.loops)
    ['R1', 'R2', 'R3']
    """
    from .spec import Flow, Model, Stock

    if not isinstance(model, Model):
        raise ModelError(f"expected a dpmkit Model, got {type(model).__name__}")
    if loops is None:
        from .analysis import loops as find_loops

        loops = find_loops(model)
    all_loops = list(loops)
    minor_count = sum(1 for lp in all_loops if len(lp.members) <= 2)
    if focus is not None:
        if not isinstance(focus, str) or focus not in model.names:
            from .expressions import suggest

            raise ModelError(f"focus {focus!r} is not a variable of model {model.name!r}"
                             + suggest(str(focus), model.names), variable=str(focus))
        all_loops = sorted((lp for lp in all_loops if focus in lp.members), key=lambda lp: len(lp.members))
        minor_count = sum(1 for lp in all_loops if len(lp.members) <= 2)
    if which is not None:
        which = [which] if isinstance(which, str) else list(which)
        chosen = [loops[w] for w in which]  # LoopSet raises a ModelError naming unknown loops
        if focus is not None:
            chosen = [lp for lp in chosen if focus in lp.members]
    else:
        chosen = [lp for lp in all_loops if minor or len(lp.members) > 2]
        if isinstance(max_loops, bool) or not isinstance(max_loops, int) or max_loops < 1:
            raise ModelError(f"max_loops must be a positive whole number, got {max_loops!r}")
        chosen = chosen[:max_loops]
    title_text = title or (f"{model.label}: feedback loops"
                           + (f" through {model[focus].label}" if focus is not None else ""))
    if not chosen:
        text = (f"No feedback loops to draw in {model.label}"
                + (f" (it has {minor_count} minor stock-and-flow loops; pass minor=True)" if minor_count else "")
                + ".")
        body = _text(20, 32, [title_text], size=24, weight="bold", anchor="start") + _text(20, 70, [text], size=_FONT,
                                                                                          anchor="start")
        return Diagram(_svg(760, 100, body, title_text, text), text)
    # Order the nodes so that each loop's members sit next to each other on the circle.
    order = []
    for lp in chosen:
        for m in lp.members:
            if m not in order:
                order.append(m)
    signs = {}
    for lp in chosen:
        for a, b, sgn in lp.links:
            signs[(a, b)] = sgn
    order = _circle_order(order, list(signs))
    n = len(order)
    radius = max(170.0, 60.0 * n / math.pi)
    cx, cy = radius + 170, radius + 110
    pos = {}
    for i, name in enumerate(order):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        pos[name] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    lines = {name: _wrap(model[name].label, 16) for name in order}
    half = {}
    for name in order:
        w = max(len(line) for line in lines[name]) * _FONT * 0.56 + 2 * 12
        h = len(lines[name]) * _LINE + 14
        half[name] = (w / 2, h / 2)
    # Links: every dependency between drawn variables (loops' links carry their signs).
    succ = influences(model)
    pairs = [(a, b) for a in order for b in sorted(succ.get(a, ()), key=model.names.index)
             if b in pos]
    edges_svg, edge_records = [], []
    for a, b in pairs:
        bend = 28 if (b, a) in pairs else 18
        ctrl = _curve(pos[a], pos[b], bend)
        start = _trim(pos[a], ctrl, half[a][0] + 4, half[a][1] + 4)
        end = _trim(pos[b], ctrl, half[b][0] + 6, half[b][1] + 6)
        sgn = signs.get((a, b))
        on_loop = sgn is not None
        colour = "#333" if on_loop else "#aaa"
        edges_svg.append(f'<path d="M{start[0]:.1f},{start[1]:.1f} Q{ctrl[0]:.1f},{ctrl[1]:.1f} '
                         f'{end[0]:.1f},{end[1]:.1f}" fill="none" stroke="{colour}" '
                         f'stroke-width="{2.4 if on_loop else 1.5}" '
                         f'marker-end="url(#arrow-grey)">'
                         f'<title>{escape(model[a].label)} → {escape(model[b].label)}'
                         f'{" (" + sgn + ")" if sgn else ""}</title></path>')
        if sgn:
            # The sign sits near the arrowhead, just off the curve.
            t = 0.78
            qx = (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * ctrl[0] + t ** 2 * end[0]
            qy = (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * ctrl[1] + t ** 2 * end[1]
            off = _curve((qx, qy), end, 14)
            glyph = {"+": "+", "-": "−", "?": "?"}[sgn]
            edges_svg.append(f'<circle cx="{off[0]:.1f}" cy="{off[1]:.1f}" r="11" fill="white" stroke="#333" '
                             f'stroke-width="1.2"/>' + _text(off[0], off[1] + 6, [glyph], size=18, weight="bold"))
        edge_records.append({"source": a, "target": b, "sign": sgn, "kind": "loop" if on_loop else "link"})
    # Nodes: stocks boxed, flows with a valve mark, the rest as plain text.
    nodes_svg, node_records = [], []
    for name in order:
        (x, y), (hw, hh) = pos[name], half[name]
        v = model[name]
        kind = "stock" if isinstance(v, Stock) else "flow" if isinstance(v, Flow) else v.kind
        tip = escape(f"{words.axis_title(v)}: {v.kind}"
                     f"{' — ' + v.description if v.description else ''}")
        parts = [f"<g><title>{tip}</title>"]
        if kind == "stock":
            parts.append(f'<rect x="{x - hw:.1f}" y="{y - hh:.1f}" width="{2 * hw:.1f}" height="{2 * hh:.1f}" '
                         'fill="#dce9f3" stroke="#0b3d66" stroke-width="2.5"/>')
        else:
            parts.append(f'<rect x="{x - hw:.1f}" y="{y - hh:.1f}" width="{2 * hw:.1f}" height="{2 * hh:.1f}" '
                         'rx="14" fill="white" stroke="white"/>')
        if kind == "flow":
            first = len(lines[name][0]) * _FONT * 0.52
            vx, vy = x - first / 2 - 12, y - hh + 7 + _FONT * 0.62
            parts.append(f'<path d="M{vx - 7:.1f},{vy - 5:.1f} L{vx + 7:.1f},{vy + 5:.1f} L{vx + 7:.1f},{vy - 5:.1f} '
                         f'L{vx - 7:.1f},{vy + 5:.1f} z" fill="#666"/>')
        style = "italic" if kind == "flow" else "normal"
        parts.append(_text(x, y - hh + 7 + _FONT - 2, lines[name], style=style,
                           weight="bold" if kind == "stock" else "normal"))
        parts.append("</g>")
        nodes_svg.append("".join(parts))
        node_records.append({"name": name, "label": v.label, "kind": kind, "x": x - hw, "y": y - hh,
                             "w": 2 * hw, "h": 2 * hh})
    # Loop labels at the centroid of each loop's members, pushed apart if they collide.
    marks = []
    for lp in chosen:
        xs = [pos[m][0] for m in lp.members]
        ys = [pos[m][1] for m in lp.members]
        marks.append([sum(xs) / len(xs), sum(ys) / len(ys)])
    for _ in range(60):
        moved = False
        for i in range(len(marks)):
            for j in range(i + 1, len(marks)):
                dx, dy = marks[j][0] - marks[i][0], marks[j][1] - marks[i][1]
                d = math.hypot(dx, dy)
                if d < 62:
                    if d < 1e-6:
                        dx, dy, d = 1.0, 0.0, 1.0
                    push = (62 - d) / 2 + 0.5
                    marks[i][0] -= dx / d * push
                    marks[i][1] -= dy / d * push
                    marks[j][0] += dx / d * push
                    marks[j][1] += dy / d * push
                    moved = True
        if not moved:
            break
    loop_svg, loop_records = [], []
    for lp, (mx, my) in zip(chosen, marks):
        letter = lp.id[0]
        colour = {"R": "#D55E00", "B": "#0072B2"}.get(letter, "#555")
        # Direction of travel around the circle gives the arrow's turn (clockwise in SVG's y-down frame).
        turn = sum((pos[a][0] - cx) * (pos[b][1] - cy) - (pos[a][1] - cy) * (pos[b][0] - cx)
                   for a, b, _ in lp.links)
        r = 24
        if turn >= 0:
            arc = f"M{mx - r:.1f},{my:.1f} A{r},{r} 0 1 1 {mx:.1f},{my + r:.1f}"
        else:
            arc = f"M{mx + r:.1f},{my:.1f} A{r},{r} 0 1 0 {mx:.1f},{my + r:.1f}"
        name = f": {lp.name}" if lp.name else ""
        loop_svg.append(f'<g><title>{escape(str(lp))}</title>'
                        f'<path d="{arc}" fill="none" stroke="{colour}" stroke-width="2.5" '
                        f'marker-end="url(#'
                        f'{"arrow-red" if letter == "R" else "arrow-blue" if letter == "B" else "arrow-grey"})"/>'
                        + _text(mx, my + 7, [lp.id], size=19, weight="bold", fill=colour) + "</g>")
        if name:
            loop_svg.append(_text(mx, my + r + 22, [lp.name], size=_SMALL, style="italic", fill=colour))
        loop_records.append({"id": lp.id, "polarity": lp.polarity, "members": tuple(lp.members), "x": mx, "y": my})
    width = 2 * cx
    height = 2 * cy + 40
    legend_y = height - 24
    legend = _text(20, legend_y, ["Boxes: stocks; valve mark: flows; + same direction, − opposite direction; "
                                  "R reinforcing, B balancing loop."], size=_SMALL, anchor="start", fill="#333")
    title_svg = _text(20, 32, [title_text], size=24, weight="bold", anchor="start")
    text_lines = [f"Causal-loop diagram of {model.label}: {len(chosen)} feedback loop{'s' if len(chosen) != 1 else ''} "
                  f"over {n} variables."]
    for lp in chosen:
        text_lines.append(f"{lp.id} ({lp.polarity}){' ' + repr(lp.name) if lp.name else ''}: "
                          + " → ".join(model[m].label for m in lp.members + lp.members[:1]) + ".")
    hidden = len(all_loops) - len(chosen)
    if hidden:
        text_lines.append(f"{hidden} more loop{'s' if hidden != 1 else ''} not drawn"
                          + (f", of which {minor_count} are minor stock-and-flow loops" if not minor and minor_count
                             else "") + ".")
    description = "\n".join(text_lines)
    svg = _svg(width, height, title_svg + "".join(edges_svg) + "".join(nodes_svg) + "".join(loop_svg) + legend,
               title_text, description)
    return Diagram(svg, description, node_records, edge_records, loop_records)
