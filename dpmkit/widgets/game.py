"""A small management flight simulator: set the levers period by period, see what unfolds."""

from __future__ import annotations

import contextlib
import html

from .. import charts, words
from ..errors import ModelError
from ._common import (
    _CSS,
    _PANEL_HEIGHT,
    _PANEL_WIDTH,
    W,
    _ChartPane,
    _control,
    _freeze_initial,
    _message,
    _model,
    _outputs,
    _Shared,
    _StaticPicture,
    _with_units,
)


class Game(_StaticPicture, W.VBox):
    """A management flight simulator: set the levers, run one period, see, decide again.

    Build it with :func:`game`. Each period re-runs the model from the beginning
    with every decision so far as parameter events (``dk.simulate(events=...)``),
    so what the learner sees is exactly what the model says those decisions do.

    Attributes
    ----------
    time : float
        The current time (where the next decision takes effect).
    decisions : list of (float, dict)
        Each decision: its time and the lever values chosen.
    result : Result
        The run from the start to now.
    finished : bool
    """

    def __init__(self, model, levers=None, *, interval=None, outputs=None, start=None, stop=None,
                 render="interactive", title=None):
        model = _model(model)
        decl = model.params_by_name
        if levers is None:
            levers = [p.name for p in model.policy_levers]
            if not levers:
                raise ModelError(f"model {model.name!r} declares no policy levers; say which parameters the "
                                 "player steers, e.g. levers=['budget']")
        levers = [levers] if isinstance(levers, str) else list(levers)
        for name in levers:
            model.param(name)  # raises, naming the variable, if it is not a parameter
            if decl[name].bounds is None:
                raise ModelError(f"lever {name!r} needs bounds so the player's choices stay sensible", variable=name)
        self.levers = levers
        self.model = model
        self._model = _freeze_initial(model)
        dt = model.dt
        interval = float(interval) if interval is not None else (1.0 if model.stop - model.start >= 4 else dt)
        steps = interval / dt
        if not interval > 0 or abs(steps - round(steps)) > 1e-6 * max(1.0, steps):
            raise ModelError(f"interval must be a positive whole number of time steps (dt = {dt:g} "
                             f"{model.time_units}), got {interval:g}")
        self.interval = interval
        self.start = model.start if start is None else float(start)
        self.stop = model.stop if stop is None else float(stop)
        grid = model.time
        tol = 1e-9 * max(1.0, abs(grid[-1]))
        for what, t in (("start", self.start), ("stop", self.stop)):
            if not grid[0] - tol <= t <= grid[-1] + tol:
                raise ModelError(f"{what} {t:g} ({words.time_label(t, model.time_units)}) is outside the model's "
                                 f"run ({words.span(grid[0], grid[-1], model.time_units)})", time=t)
            k = (t - model.start) / dt
            if abs(k - round(k)) > 1e-6 * max(1.0, k):
                raise ModelError(f"{what} {t:g} does not fall on the model's time grid (dt = {dt:g})", time=t)
        if not self.stop > self.start:
            raise ModelError(f"stop ({self.stop:g}) must be after start ({self.start:g})")
        self.outputs = _outputs(model, outputs)
        shared = _Shared()  # the rows' identical layouts and styles: one each, as in the explorer
        self.controls = {name: _control(decl[name], None, shared) for name in levers}
        self.decisions = []
        self.time = self.start
        self.result = self._run(self.start)
        self.baseline = None
        tu = model.time_units
        self._live = charts.LiveTimeSeries(self._model, self.outputs, with_base=True,
                                             title=title or f"{model.label}: your decisions",
                                             width=_PANEL_WIDTH, height=_PANEL_HEIGHT,
                                             x_domain=(model.start, self.stop),
                                             base_note="Grey lines: had the levers stayed where they started")
        self.title = title or "Management flight simulator"
        self._summary = ""
        self.pane = _ChartPane(render, self._live.spec(self.result, self.baseline))
        period = f"{words.time_value(interval)} {tu}" if interval != 1 else f"{tu}"
        self.step_button = W.Button(description=f"Run the next {period}", icon="play", button_style="primary",
                                    tooltip="Apply these lever settings and run one period",
                                    layout=W.Layout(width="auto"))
        self.undo_button = W.Button(description="Undo", icon="undo", tooltip="Take back the last decision")
        self.restart_button = W.Button(description="Restart", icon="refresh", tooltip="Start the game again")
        self.step_button.on_click(lambda _: self._step_clicked())
        self.undo_button.on_click(lambda _: self.undo())
        self.restart_button.on_click(lambda _: self.restart())
        self.clock = W.HTML()
        self.message = W.HTML()
        self.decision_log = W.HTML()
        self.status = W.HTML()
        rows = [_with_units(self.controls[n], decl[n].units, shared) for n in levers]
        intro = (f"You steer {html.escape(model.label)} from {words.time_label(self.start, tu)} to "
                 f"{words.time_label(self.stop, tu)}. Set the levers, run one {html.escape(period)}, look at what "
                 "happened, and decide again. You cannot see the future: only what has happened so far.")
        super().__init__([
            W.HTML(f"{_CSS}<h3 style='margin:4px 0'>{html.escape(title or 'Management flight simulator')}</h3>"
                   f"<div style='font-size:14px;max-width:900px'>{intro}</div>"),
            W.HBox([W.VBox([self.clock] + rows + [W.HBox([self.step_button, self.undo_button, self.restart_button],
                                                         layout=W.Layout(flex_flow="row wrap")),
                                                  self.message, self.decision_log],
                           layout=W.Layout(width="440px", min_width="320px")),
                    W.VBox([self.pane.widget, self.status], layout=W.Layout(flex="1 1 420px"))],
                   layout=W.Layout(flex_flow="row wrap", align_items="flex-start")),
        ])
        self.add_class("dpmkit-game")
        self._refresh()

    @property
    def finished(self):
        return self.time >= self.stop - 1e-9 * max(1.0, abs(self.stop))

    def _events(self):
        return [(t, dict(d)) for t, d in self.decisions]

    def _run(self, until):
        from ..simulate import simulate

        stop = max(until, self.model.start + self.model.dt)
        return simulate(self._model, events=self._events() or None, stop=stop)

    def step(self, **levers):
        """Decide (lever values; unset levers keep their slider value) and run one period.

        Returns the Result from the start to the new current time. Raises
        ModelError for unknown levers, values outside bounds, or a finished game.
        """
        if self.finished:
            raise ModelError("the game is over: press Restart (or call .restart()) to play again")
        for name in levers:
            if name not in self.controls:
                from ..expressions import suggest

                raise ModelError(f"{name!r} is not a lever of this game" + suggest(name, self.controls)
                                 + f"; the levers are {', '.join(self.controls)}", variable=name)
        choice = {name: float(c.value) for name, c in self.controls.items()}
        for name, value in levers.items():
            choice[name] = self.model[name].check(value)
            self.controls[name].value = choice[name]
        new_time = min(self.time + self.interval, self.stop)
        decisions = self.decisions + [(self.time, choice)]
        previous = self.decisions
        self.decisions = decisions
        try:
            result = self._run(new_time)
        except ModelError as err:
            self.decisions = previous
            self.message.value = _message("The model could not run with these settings: " + str(err), "error")
            raise
        self.result = result
        self.time = new_time
        self.message.value = ""
        if self.finished:
            from ..simulate import simulate

            self.baseline = simulate(self._model, stop=self.stop)
        self._refresh()
        return result

    def undo(self):
        """Take back the last decision (and the period it ran)."""
        if not self.decisions:
            return self.result
        t, choice = self.decisions.pop()
        self.time = t
        self.baseline = None
        for name, value in choice.items():
            self.controls[name].value = value
        self.result = self._run(self.time)
        self._refresh()
        return self.result

    def restart(self):
        """Start again from the beginning with the levers at their defaults."""
        self.decisions = []
        self.time = self.start
        self.baseline = None
        for name, control in self.controls.items():
            control.value = self.model[name].default
        self.result = self._run(self.start)
        self.message.value = ""
        self._refresh()
        return self.result

    def history(self):
        """A table with one row per decision: when, the lever values, and the outputs at the end of its period."""
        import pandas as pd

        rows = []
        times = [t for t, _ in self.decisions] + [self.time]
        for (t, choice), end in zip(self.decisions, times[1:]):
            row = {"decided_at": t, **choice, "period_end": end}
            row.update({name: self.result.at(end, name) for name in self.outputs})
            rows.append(row)
        return pd.DataFrame(rows, columns=["decided_at", *self.levers, "period_end", *self.outputs])

    def _step_clicked(self):
        with contextlib.suppress(ModelError):  # the message is already in the widget
            self.step()

    def _refresh(self):
        tu = self.model.time_units
        done = self.finished
        self.step_button.disabled = done
        self.undo_button.disabled = not self.decisions
        for c in self.controls.values():
            c.disabled = done
        spec = self._live.spec(self.result, self.baseline)
        self.pane.update(spec)
        self.clock.value = (f"<div style='font-size:18px;font-weight:bold'>Now: "
                            f"{words.time_label(self.time, tu)}</div>" if not done else
                            "<div style='font-size:18px;font-weight:bold'>The end</div>")
        lines = []
        for t, choice in self.decisions:
            what = ", ".join(f"{self.model[k].label} {words.number(v)}" for k, v in choice.items())
            lines.append(f"<li>{words.time_label(t, tu)}: {html.escape(what)}</li>")
        self.decision_log.value = ("<b>Your decisions</b><ol style='font-size:14px;margin:2px 0'>"
                                   + "".join(lines) + "</ol>"
                                   if lines else "")
        rows = []
        for name in self.outputs:
            v = self.model[name]
            now = self.result.at(self.time, name)
            begun = self.result.at(self.start, name)
            cells = [html.escape(v.label), words.number(now), words.difference(now, begun)]
            if done and self.baseline is not None:
                b = self.baseline.final(name)
                cells.append(f"{words.number(b)} ({words.difference(now, b)})")
            rows.append("<tr>" + "".join(f"<td style='padding:2px 8px'>{c}</td>" for c in cells) + "</tr>")
        head = ["Output", "Now", f"Change since {words.time_label(self.start, tu)}"]
        if done and self.baseline is not None:
            head.append("Had you changed nothing")
        table = ("<table style='font-size:14px;border-collapse:collapse'><thead><tr>"
                 + "".join(f"<th style='text-align:left;padding:2px 8px'>{h}</th>" for h in head)
                 + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        closing = ("<p style='font-size:14px'>The grey lines show what would have happened had you left the levers "
                   "where they started. Which of your decisions mattered most, and when did their effects show?</p>"
                   if done else "")
        self.status.value = table + closing
        self._summary = self._summary_text()
        self._static_changed()

    def _summary_text(self):
        tu = self.model.time_units
        lines = [("The game is over" if self.finished else f"Now: {words.time_label(self.time, tu)}") + "."]
        if self.decisions:
            lines.append("Your decisions: " + "; ".join(
                f"{words.time_label(t, tu)}: " + ", ".join(f"{self.model[k].label} {words.number(v)}"
                                                           for k, v in choice.items())
                for t, choice in self.decisions) + ".")
        else:
            lines.append("No decisions yet.")
        for name in self.outputs:
            now = self.result.at(self.time, name)
            text = (f"{self.model[name].label}: {words.number(now)} {words.when(self.time, tu)} "
                    f"({words.difference(now, self.result.at(self.start, name))} since "
                    f"{words.time_label(self.start, tu)})")
            if self.finished and self.baseline is not None:
                text += f"; had you changed nothing, {words.number(self.baseline.final(name))}"
            lines.append(text + ".")
        return "\n".join(lines)

    def _static_title(self):
        return self.title

    def _static_text(self):
        return self._summary


def game(model="surrey", levers=None, *, interval=None, outputs=None, start=None, stop=None, render="interactive",
         title=None):
    """A decision game: steer a model period by period (a "management flight simulator").

    Parameters
    ----------
    model : Model or str
        Default: the ``surrey`` model.
    levers : list of str, optional
        Parameters the player sets (default: the model's policy levers).
    interval : float, optional
        Time between decisions (default: 1 time unit; a whole number of steps).
    outputs : list of str, optional
        Variables charted (default: up to three end results).
    start, stop : float, optional
        When the player takes control, and when the game ends (default: the model's run).
        Before ``start`` the model runs with the levers at their defaults.

    Returns
    -------
    Game

    Examples
    --------
    >>> import dpmkit as dk
    >>> g = dk.widgets.game("demo", ["staff_target"], interval=12, outputs=["waiting_list"])
    >>> _ = g.step(staff_target=14)
    >>> g.time
    12.0
    """
    return Game(model, levers, interval=interval, outputs=outputs, start=start, stop=stop, render=render, title=title)
