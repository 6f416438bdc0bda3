"""The ballot form: lever sliders, predictions, hypothesis and decision, and a Submit button.

The ballot itself (its format, checks, storage and codes) is :mod:`dpmkit.workshop`;
this module is only the form a participant fills in.
"""

from __future__ import annotations

import os

from .. import words, workshop
from ..errors import ModelError
from ..expressions import suggest
from ..words import escaped as _html
from ._common import W, _model, _StaticPicture, control_for

__all__ = ["BallotWidget", "ballot_widget"]


def ballot_widget(model, folder=None, *, levers=None, predict=None, participant="", table="", role="", round="",
                  roles=None, tables=None):
    """A form for casting a ballot: lever sliders, predictions, hypothesis, decision, submit.

    Sliders are built from each parameter's declaration (label, units, bounds, and
    the description as a tooltip); they start at the defaults. Predictions are typed
    as numbers (a blank field means "no prediction"). On *Submit* the ballot is
    checked; the widget says clearly whether it was saved, or shows a code to copy
    when there is no shared folder (or the folder cannot be written), or says what
    to fix.

    Parameters
    ----------
    model : Model or str
    folder : str or Path, optional
        The shared ballot folder; None to hand out copy-paste codes.
    levers : list of str, optional
        Parameters to offer as sliders (default: the model's policy levers).
    predict : str, list or dict, optional
        Variables to predict: names (predicted at the end of the run) or
        ``{name: [times]}``. Default: up to two of the model's end results.
    participant, table, role, round : str
        Initial values of the name fields; ``round`` is fixed by the facilitator. When the
        folder holds the round the facilitator opened (:func:`dpmkit.workshop.open_round`),
        that round is sent instead, read again at every submit.
    roles : list of str, optional
        If given, the role is chosen from this list (e.g. the role-play roles).
    tables : list of str, optional
        The tables to choose from. The folder's list (saved with the open round) comes
        first; with neither, the table is typed.

    Returns
    -------
    BallotWidget
        An ipywidgets ``VBox``; ``.submit()`` casts the ballot, ``.last`` holds the
        path or code of the last ballot cast, ``.ballot`` the Ballot itself.

    Examples
    --------
    >>> import dpmkit as dk, tempfile
    >>> w = dk.widgets.ballot_widget("demo", tempfile.mkdtemp(), table="Table 1")
    >>> w.controls["staff_target"].value = 26
    >>> w.submit_button.click()
    >>> w.ok
    True
    """
    return BallotWidget(model, folder, levers=levers, predict=predict, participant=participant, table=table,
                        role=role, round=round, roles=roles, tables=tables)


class BallotWidget(_StaticPicture, W.VBox):
    """A ballot form; see :func:`ballot_widget`.

    Attributes
    ----------
    controls : dict
        The lever sliders, by parameter name.
    prediction_fields : dict
        The prediction text fields, by ``(variable, time)``.
    last : Path or str or None
        The path or code of the last ballot cast.
    ballot : Ballot or None
        The last ballot cast.
    ok : bool or None
        Whether the last press of *Submit* cast a ballot.
    """

    def __init__(self, model, folder=None, *, levers=None, predict=None, participant="", table="", role="",
                 round="", roles=None, tables=None):
        model = _model(model)
        reachable = True
        problem = ""
        session = None
        if folder is not None:
            if isinstance(folder, bool) or not isinstance(folder, (str, os.PathLike)):
                got = "None" if folder is None else type(folder).__name__
                raise ModelError(f"the ballot folder must be a path (text), got {got}")
            try:
                folder = workshop.check_folder(folder)
            except ModelError as err:
                # A Windows path typed as "D:\ballots": say so, and hand out codes meanwhile.
                problem, folder = str(err), None
            # Not fatal: a ballot that cannot be saved is handed out as a code instead.
            reachable = folder is not None and folder.is_dir()
            if reachable:
                try:
                    session = workshop.read_session(folder)
                except ModelError as err:
                    problem = str(err)
        self.model = model
        self.folder = folder
        self.round = workshop.clean_line(round, "round")
        self.session = session
        self.last = None
        self.ballot = None
        self.ok = None
        decl = model.params_by_name
        if levers is None:
            levers = [p.name for p in model.policy_levers] or [p.name for p in model.params if p.bounds][:6]
        levers = [levers] if isinstance(levers, str) else list(levers)
        self.controls, rows = {}, {}
        for name in levers:
            if not isinstance(name, str):
                raise ModelError(f"levers must be parameter names (text), got {type(name).__name__}")
            if name not in decl:
                raise ModelError(f"model {model.name!r} has no parameter {name!r}" + suggest(str(name), decl),
                                 variable=name)
            self.controls[name], rows[name] = self._control(decl[name])
        self.prediction_fields = {}
        for name, t in workshop.prediction_spec(model, predict):
            self.prediction_fields[(name, t)] = W.Text(
                value="", placeholder="your prediction, e.g. 45",
                description=f"{words.axis_title(model[name])} {words.when(t, model.time_units)}:",
                tooltip=model[name].description or model[name].label,
                style={"description_width": "initial"}, layout=W.Layout(width="95%"),
            )
        line = {"style": {"description_width": "8em"}, "layout": W.Layout(width="60%")}
        self.participant_field = W.Text(value=participant, description="Your name:", placeholder="optional",
                                              **line)
        listed = list(session.tables) if session is not None and session.tables else None
        if listed is None and tables is not None:
            listed = [workshop.clean_line(str(t), "table") for t in tables]
            listed = [t for t in listed if t] or None
        self.tables = listed
        if listed:
            # Chosen, not typed: a typo ("Tabel 3") or a name ("Table 1 · Sam") would become another table.
            options = [""] + listed
            self.table_field = W.Dropdown(options=options, value=table if table in options else "",
                                          description="Table:", **line)
        else:
            self.table_field = W.Text(value=table, description="Table:", placeholder="e.g. Table 2", **line)
        if roles:
            options = [""] + [str(r) for r in roles]
            self.role_field = W.Dropdown(options=options, value=role if role in options else "",
                                               description="Role:", **line)
        else:
            self.role_field = W.Text(value=role, description="Role:", placeholder="optional", **line)
        area = {"layout": W.Layout(width="95%", height="4.5em")}
        self.hypothesis_field = W.Textarea(
            description="Hypothesis:", placeholder="What do you expect to happen, and why?",
            style={"description_width": "8em"}, **area)
        self.decision_field = W.Textarea(
            description="Decision:", placeholder="What would you decide, given what you expect?",
            style={"description_width": "8em"}, **area)
        self.submit_button = W.Button(
            description="Submit ballot", button_style="primary", icon="check",
            tooltip="Send your levers, predictions, hypothesis and decision to the facilitator")
        self.status = W.HTML(value="")
        self.code_box = W.Textarea(value="", description="Your code:", disabled=False,
                                         layout=W.Layout(width="95%", height="6em", display="none"),
                                         style={"description_width": "8em"})
        self.submit_button.on_click(lambda _button: self.submit())
        if problem and folder is None:
            where = (f"<span style='color:#b00020'>⚠ {_html(problem)}</span>. Meanwhile, when you submit you will "
                     "get a code to copy and paste instead. Tell the facilitator.")
        elif folder is None:
            where = "There is no shared folder: you will get a code to copy and paste where the facilitator asks."
        elif reachable:
            where = "Your ballot will be saved in the shared folder."
            if problem:
                where += f" <span style='color:#b00020'>⚠ {_html(problem)}</span>."
        else:
            where = (f"<span style='color:#b00020'>⚠ The shared folder {_html(folder)} cannot be reached from "
                     "here</span>: when you submit you will get a code to copy and paste instead. Tell the "
                     "facilitator.")
        in_round = self._round()
        sections = [W.HTML(f"<b>Your ballot</b> on <i>{_html(model.label)}</i>"
                           + (f", round {_html(in_round)}" if in_round else "") + f". {where}"),
                    self.participant_field, self.table_field, self.role_field]
        if self.controls:
            sections.append(W.HTML("<b>Your lever settings</b> (they start at the base case)"))
            sections.extend(rows.values())
        if self.prediction_fields:
            sections.append(W.HTML("<b>Your predictions</b> (before you run the model; leave blank to skip)"))
            sections.extend(self.prediction_fields.values())
        sections += [self.hypothesis_field, self.decision_field, self.submit_button, self.status, self.code_box]
        super().__init__(children=sections)
        for field in [*self.controls.values(), *self.prediction_fields.values(), self.hypothesis_field,
                      self.decision_field]:
            field.observe(lambda _change: self._static_changed(), names="value")

    @staticmethod
    def _control(p):
        # The explorer's control: label, bounds, step and tooltip from the Param
        # declaration, reporting only on release; the units are shown beside it.
        control = control_for(p)
        units = words.units(p)
        row = W.HBox([control, W.Label(units, layout=W.Layout(min_width="64px"))],
                           layout=W.Layout(width="100%", align_items="center"))
        return control, row

    def values(self):
        """The ballot fields as they stand in the form (predictions parsed).

        Raises ModelError naming the field whose text is not a number.
        """
        predictions = {}
        for (name, t), box in self.prediction_fields.items():
            try:
                value = words.parse_number(box.value, f"your prediction for {box.description.rstrip(':')}",
                                           blank_ok=True)
            except ModelError as err:
                raise ModelError(str(err), variable=name, time=t) from None
            if value is not None:
                predictions.setdefault(name, {})[t] = value
        return {
            "params": {name: float(control.value) for name, control in self.controls.items()},
            "predictions": predictions,
            "participant": self.participant_field.value, "table": self.table_field.value or "",
            "role": self.role_field.value or "", "round": self._round(),
            "hypothesis": self.hypothesis_field.value, "decision": self.decision_field.value,
        }

    def _round(self):
        """The round to send: the one the facilitator opened in the folder (read again now), else ``round``."""
        if self.folder is not None:
            try:
                session = workshop.read_session(self.folder)
            except (ModelError, OSError):
                session = None
            if session is not None:
                self.session = session
                return session.round
        return self.round

    def _elsewhere_words(self, ballot):
        """What a participant must know when the room serving the folder has another room open (the
        facilitator changed it, "Change the room"): this ballot is kept for the folder's own round and
        model, not for the room open now. "" otherwise."""
        room = self.session.room if self.session is not None else None
        if room is None or not room.kept:
            return ""
        return (f" <b>Note:</b> the room open now is {_html(room.open)} (round {_html(room.round or '?')}), which "
                f"does not show this ballot: it is kept in this folder for {_html(self.model.label)}, round "
                f"{_html(ballot.round)}, and shows when the facilitator goes back to this folder's room. Ask the "
                "facilitator which to use.")

    def submit(self):
        """Check and cast the ballot; show the outcome in the widget. Returns the Ballot or None."""
        self.code_box.layout.display = "none"
        if self.tables and not self.table_field.value:
            return self._fail("Not sent yet: choose your table from the list, then press Submit again.")
        try:
            ballot = workshop.make_ballot(self.model, **self.values())
        except ModelError as err:
            return self._fail(f"Not sent yet: {err}. Please correct it and press Submit again.")
        self.ballot = ballot
        who = f", {_html(ballot.participant)}" if ballot.participant else ""
        if self.folder is not None:
            try:
                path = ballot.save(self.folder)
            except (OSError, ModelError) as err:
                reason = getattr(err, "strerror", None) or str(err)
                self._show_code(ballot, f"Could not save to the shared folder ({_html(reason)}). Nothing is lost: "
                                        "copy this code and paste it where the facilitator asks.")
                return ballot
            self.last = path
            self.ok = True
            self.status.value = (
                f"<span style='color:#1a7f37'>✓ Thank you{who}: your ballot is in "
                + (f"for round {_html(ballot.round)} " if ballot.round else "")
                + f"(saved at {ballot.created.astimezone().strftime('%H:%M:%S')}, reference {ballot.id[:6]}).</span> "
                "You may change your choices and submit again; the facilitator sees every ballot you send."
                + self._elsewhere_words(ballot))
            self._static_changed()
            return ballot
        self._show_code(ballot, f"✓ Thank you{who}. Copy this code (all of it) and paste it where the "
                                "facilitator asks:")
        self._static_changed()
        return ballot

    # -- the static picture: the levers as chosen against the base case
    def _lever_rows(self):
        rows = []
        for name, control in self.controls.items():
            p = self.model.params_by_name[name]
            chosen = float(control.value)
            lo, hi = p.bounds if p.bounds is not None else (min(p.default, chosen), max(p.default, chosen))
            span = (hi - lo) or 1.0
            for series, value in (("Base case", p.default), ("Your ballot", float(control.value))):
                rows.append({"lever": p.label, "series": series, "position": 100 * (value - lo) / span,
                             "value": words.number(value),
                             "range": f"{words.number(lo)} to {words.quantity(hi, p)}"})
        return rows

    def _static_spec(self):
        """A plain Vega-Lite dict (no Altair on this path): one row per lever, its position
        within its range, the base case grey and the ballot's choice blue, with the value."""
        rows = self._lever_rows()
        if not rows:
            return None
        levers = list(dict.fromkeys(r["lever"] for r in rows))
        y = {"field": "lever", "type": "nominal", "sort": levers, "title": None,
             "axis": {"labelFontSize": 15, "labelLimit": 260}}
        x = {"field": "position", "type": "quantitative", "scale": {"domain": [0, 100]},
             "title": "Position within the lever's range (%)", "axis": {"titleFontSize": 15, "labelFontSize": 14}}
        colour = {"field": "series", "type": "nominal", "title": None,
                  "scale": {"domain": ["Base case", "Your ballot"], "range": ["#777777", "#0072B2"]},
                  "legend": {"orient": "bottom", "labelFontSize": 15}}
        shape = dict(colour, scale={"domain": ["Base case", "Your ballot"], "range": ["circle", "diamond"]})
        return {
            "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
            "title": {"text": f"Your ballot: {self.model.label}", "fontSize": 18, "anchor": "start"},
            "width": 360, "height": {"step": 34},
            "data": {"values": rows},
            "layer": [
                {"mark": {"type": "rule", "color": "#DDDDDD", "strokeWidth": 2},
                 "encoding": {"y": y, "x": {"datum": 0, "type": "quantitative"},
                              "x2": {"datum": 100}}},
                {"mark": {"type": "point", "size": 160, "filled": True, "opacity": 0.9},
                 "encoding": {"y": y, "x": x, "color": colour, "shape": shape,
                              "tooltip": [{"field": "series"}, {"field": "value", "title": "Value"},
                                          {"field": "range", "title": "Range"}]}},
                {"transform": [{"filter": {"field": "series", "equal": "Your ballot"}}],
                 "mark": {"type": "text", "dy": -14, "fontSize": 13, "color": "#0072B2"},
                 "encoding": {"y": y, "x": x, "text": {"field": "value"}}},
            ],
            "description": self._static_text(),
        }

    def _static_svg(self):
        from ._common import _svg_of

        spec = self._static_spec()
        return _svg_of(spec) if spec else ""

    def _static_title(self):
        return f"Ballot: {self.model.label}"

    def _static_text(self):
        tu = self.model.time_units
        lines = []
        decl = self.model.params_by_name
        if self.controls:
            lines.append("Levers: " + "; ".join(
                f"{decl[n].label} {words.number(float(c.value))} (base case {words.number(decl[n].default)})"
                for n, c in self.controls.items()) + ".")
        typed = [(self.model[n].label, t, box.value.strip()) for (n, t), box in self.prediction_fields.items()
                 if box.value.strip()]
        if typed:
            lines.append("Predictions: " + "; ".join(f"{label} {words.when(t, tu)}: {text}" for label, t, text in typed)
                         + ".")
        for what, field in (("Hypothesis", self.hypothesis_field), ("Decision", self.decision_field)):
            if field.value.strip():
                lines.append(f"{what}: {field.value.strip()}")
        if self.ok and self.ballot is not None:
            lines.append(f"Sent (reference {self.ballot.id[:6]}).")
        else:
            lines.append("Not sent yet.")
        return "\n".join(lines)

    def _show_code(self, ballot, message):
        self.last = ballot.code
        self.ok = True
        self.code_box.value = ballot.code
        self.code_box.layout.display = None
        self.status.value = f"<span style='color:#1a7f37'>{message}</span>"

    def _fail(self, message):
        self.ok = False
        self.status.value = f"<span style='color:#b00020'>✗ {_html(message)}</span>"
        return None


