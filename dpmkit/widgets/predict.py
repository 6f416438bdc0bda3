"""Predict, then run, then compare: the learner sketches one output's path before seeing it."""

from __future__ import annotations

import html
import math

import numpy as np

from .. import charts, words
from ..errors import ModelError
from ._common import (
    _CSS,
    _PANEL_HEIGHT,
    _PANEL_WIDTH,
    W,
    _ChartPane,
    _message,
    _model,
    _outputs,
    _Shared,
    _StaticPicture,
)


def usual_times(model, points=5):
    """The times a prediction asks about when none are given: ``points`` times evenly spread over
    the run's steps, from the start to the end."""
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or not 2 <= points <= 25:
        raise ModelError(f"points must be a whole number from 2 to 25, got {points!r}")
    grid = model.time
    idx = np.unique(np.round(np.linspace(0, len(grid) - 1, int(points))).astype(int))
    return [float(grid[i]) for i in idx]


class Predict(_StaticPicture, W.VBox):
    """Write down what you expect, then run the model and see the gap.

    Build it with :func:`predict`.

    Attributes
    ----------
    times : list of float
        The times at which the learner predicts.
    prediction : dict or None
        Time -> predicted value, once revealed.
    result : Result or None
        The run, once revealed (None before).
    gaps : DataFrame or None
        ``time, predicted, simulated, gap`` (gap = predicted - simulated), once revealed.
    score : dict or None
        ``mean_abs_gap``, ``mean_abs_gap_pct`` (relative to the run's typical size),
        ``largest_gap_time``, ``direction_right`` (did you expect it to rise/fall as it did?).
    """

    def __init__(self, model, output, *, params=None, times=None, points=5, limits=None, render="interactive",
                 question=None):
        model = _model(model)
        self.model = model
        self.output = _outputs(model, [output])[0]
        self.params = model.values(params)
        grid = model.time
        if times is None:
            times = usual_times(model, points)
        else:
            times = sorted(float(t) for t in times)
            if len(times) < 2:
                raise ModelError("give at least two times: the start and one later time")
            tol = 1e-9 * max(1.0, abs(grid[-1]))
            for t in times:
                if not grid[0] - tol <= t <= grid[-1] + tol:
                    raise ModelError(f"time {t:g} ({words.time_label(t, model.time_units)}) is outside the run "
                                     f"({words.span(grid[0], grid[-1], model.time_units)})", time=t)
            if abs(times[0] - grid[0]) > tol:
                times = [float(grid[0])] + times
        self.times = times
        if limits is not None:
            try:
                lo, hi = (float(v) for v in limits)
            except (TypeError, ValueError):
                raise ModelError(f"limits must be a pair (low, high), got {limits!r}") from None
            if not lo < hi:
                raise ModelError(f"limits must have low < high, got {limits!r}")
            limits = (lo, hi)
        self.limits = limits
        self.result = None
        self.prediction = None
        self.gaps = None
        self.score = None
        self._on_reveal = []
        # The starting value is the present, not a prediction: the learner sees it.
        from ..simulate import simulate

        self.start_value = float(simulate(model, self.params, stop=model.start + model.dt)[self.output][0])
        v = model[self.output]
        tu = model.time_units
        self.unit_text = words.units(v)
        self.fields = []
        shared = _Shared()  # the fields' identical layout and style: one each, as in the explorer
        for k, t in enumerate(times):
            field = W.Text(description=f"{words.time_label(t, tu)}", placeholder="your guess",
                           tooltip=f"What do you expect {words.lower_first(v.label)} to be in "
                                   f"{words.time_label(t, tu)}?",
                           style=shared.get("style", _text_style), layout=shared.get("field", _field_layout))
            if k == 0:
                field.value = words.number(self.start_value).replace(",", "")
                field.disabled = True
                field.tooltip = "Where it starts: this is known"
            else:
                field.observe(self._sketch, names="value")
            self.fields.append(field)
        self.reveal_button = W.Button(description="Run the model", icon="play", button_style="primary",
                                      tooltip="Lock in your prediction and see what the model does")
        self.again_button = W.Button(description="Try again", icon="undo", tooltip="Clear the run and predict again")
        self.again_button.layout.display = "none"
        self.reveal_button.on_click(lambda _: self._reveal_clicked())
        self.again_button.on_click(lambda _: self.try_again())
        self.message = W.HTML()
        self.table = W.HTML()
        question = question or (f"What will {words.lower_first(v.label)} do between {words.time_label(times[0], tu)} "
                                f"and {words.time_label(times[-1], tu)}? Write your expectation "
                                f"{'(' + self.unit_text + ') ' if self.unit_text else ''}for each time, then run.")
        self._live = charts.LiveTimeSeries(
            model, [self.output], with_base=True, title=f"Your prediction and the model: {v.label}",
            width=_PANEL_WIDTH, height=_PANEL_HEIGHT, x_domain=(times[0], times[-1]),
            base_note="Grey line: your prediction")
        sketch = self._prediction_result({times[0]: self.start_value})
        self._gap_text = ""
        self.pane = _ChartPane(render, self._live.spec(sketch, sketch))
        self._sketch()
        unit = f" ({html.escape(self.unit_text)})" if self.unit_text else ""
        super().__init__([
            W.HTML(f"{_CSS}<h3 style='margin:4px 0'>Predict, then run</h3><div style='font-size:15px'>"
                   f"{html.escape(question)}</div>"),
            W.HBox([W.VBox([W.HTML(f"<b>{html.escape(v.label)}{unit}</b>")] + self.fields
                           + [W.HBox([self.reveal_button, self.again_button])],
                           layout=W.Layout(width="290px")),
                    W.VBox([self.message, self.pane.widget, self.table], layout=W.Layout(flex="1 1 420px"))],
                   layout=W.Layout(flex_flow="row wrap", align_items="flex-start")),
        ])
        self.add_class("dpmkit-predict")

    def _prediction_result(self, points):
        """A Result-shaped object holding the prediction, interpolated on the model's grid."""
        from ..results import Result

        ts = sorted(points)
        grid = self.model.time
        mask = (grid >= ts[0] - 1e-12) & (grid <= ts[-1] + 1e-12)
        values = (np.interp(grid[mask], ts, [points[t] for t in ts]) if len(ts) > 1
                  else np.full(mask.sum(), points[ts[0]]))
        return Result(self.model, grid[mask], (self.output,), values[:, None], dict(self.params), "prediction")

    def read(self, strict=True):
        """The prediction typed so far, time -> value. With ``strict``, every field must hold
        a valid number (else ModelError saying which field and why)."""
        v = self.model[self.output]
        values = {}
        for t, field in zip(self.times, self.fields):
            if field.disabled and t == self.times[0]:
                values[t] = self.start_value
                continue
            what = f"{words.time_label(t, self.model.time_units)}"
            try:
                value = words.parse_number(field.value, what)
            except ModelError:
                if strict:
                    raise
                continue
            if self.limits is not None and not self.limits[0] <= value <= self.limits[1]:
                if strict:
                    raise ModelError(f"{what}: {value:g} is outside the range {self.limits[0]:g} to "
                                     f"{self.limits[1]:g} {self.unit_text} that this exercise allows", time=t,
                                     variable=v.name)
                continue
            values[t] = value
        return values

    def set_prediction(self, values):
        """Fill in the fields from code: a list (one per time after the start) or a dict time -> value."""
        later = self.times[1:]
        if hasattr(values, "items"):
            for t, value in values.items():
                matches = [k for k, tt in enumerate(self.times) if math.isclose(tt, float(t), abs_tol=1e-9)]
                if not matches or matches[0] == 0:
                    raise ModelError(f"no prediction field at time {t!r}; the times are "
                                     f"{self._times_text(later)}")
                self.fields[matches[0]].value = str(value)
        else:
            values = list(values)
            if len(values) != len(later):
                raise ModelError(f"give {len(later)} values, one for each time: "
                                 f"{self._times_text(later)}")
            for field, value in zip(self.fields[1:], values):
                field.value = str(value)

    def _times_text(self, times):
        tu = self.model.time_units
        return ", ".join(f"{words.time_value(x)} ({words.time_label(x, tu)})" if words.is_calendar(x, tu)
                         else words.time_value(x) for x in times)

    def _prediction_text(self, points):
        tu = self.model.time_units
        return "Your prediction so far: " + ", ".join(
            f"{words.time_label(t, tu)}: {words.number(v)}" for t, v in sorted(points.items())) + "."

    def _sketch(self, change=None):
        if self.result is not None:
            return
        points = self.read(strict=False)
        sketch = self._prediction_result(points)
        spec = self._live.spec(sketch, sketch)
        spec["description"] = self._prediction_text(points)
        self.pane.update(spec)
        self._static_changed()

    def _static_title(self):
        return f"Predict, then run: {self.model[self.output].label}"

    def _static_text(self):
        if self.result is None:
            return self._prediction_text(self.read(strict=False)) + " The model has not been run yet."
        return self._gap_text

    def reveal(self):
        """Lock the prediction, run the model and compute the gaps. Returns the gaps table."""
        import pandas as pd

        from ..simulate import simulate

        points = self.read(strict=True)
        result = simulate(self.model, self.params)
        simulated = np.array([result.at(t, self.output) for t in self.times])
        predicted = np.array([points[t] for t in self.times])
        gap = predicted - simulated
        self.prediction = points
        self.result = result
        self.gaps = pd.DataFrame({"time": self.times, "predicted": predicted, "simulated": simulated, "gap": gap})
        later = slice(1, None)
        typical = float(np.mean(np.abs(result[self.output]))) or 1.0
        k = int(np.argmax(np.abs(gap[later]))) + 1
        sim_dir = np.sign(round(simulated[-1] - simulated[0], 12))
        pred_dir = np.sign(round(predicted[-1] - predicted[0], 12))
        self.score = {
            "mean_abs_gap": float(np.mean(np.abs(gap[later]))),
            "mean_abs_gap_pct": float(100 * np.mean(np.abs(gap[later])) / typical),
            "largest_gap": float(gap[k]),
            "largest_gap_time": float(self.times[k]),
            "direction_right": bool(sim_dir == pred_dir),
        }
        for field in self.fields:
            field.disabled = True
        self.reveal_button.disabled = True
        self.again_button.layout.display = None
        spec = self._live.spec(result, self._prediction_result(points))
        self.pane.update(spec)
        self._show_gaps()
        self._static_changed()
        for callback in list(self._on_reveal):
            callback(self)
        return self.gaps

    def on_reveal(self, callback):
        """Call ``callback(self)`` after each reveal (the button or :meth:`reveal`), once the run,
        the prediction and the gaps are set: for a page that shows more once its reader has
        predicted (the room's "predict first" mode)."""
        self._on_reveal.append(callback)

    def _show_gaps(self):
        s, g = self.score, self.gaps
        tu = self.model.time_units
        unit = f" {self.unit_text}" if self.unit_text else ""
        expect = {1: "rise", -1: "fall", 0: "stay level"}
        does = {1: "rises", -1: "falls", 0: "stays level"}
        sim_dir = int(np.sign(round(g["simulated"].iloc[-1] - g["simulated"].iloc[0], 12)))
        pred_dir = int(np.sign(round(g["predicted"].iloc[-1] - g["predicted"].iloc[0], 12)))
        direction = (f"You expected it to {expect[pred_dir]} overall, and it does." if s["direction_right"] else
                     f"You expected it to {expect[pred_dir]} overall, but in the model it {does[sim_dir]}.")
        k = int(np.argmin(np.abs(g["time"] - s["largest_gap_time"])))
        text = (f"On average your prediction was {words.number(s['mean_abs_gap'])}{unit} away from the model "
                f"({s['mean_abs_gap_pct']:.0f}% of its typical size). The largest gap was in "
                f"{words.time_label(s['largest_gap_time'], tu)}: you expected {words.number(g['predicted'].iloc[k])}, "
                f"the model gives {words.number(g['simulated'].iloc[k])}. {direction} "
                "What in the structure of the model explains the difference?")
        self.message.value = _message(text, "info")
        self._gap_text = text + "\n" + "; ".join(
            f"{words.time_label(r.time, tu)}: you expected {words.number(r.predicted)}, the model gives "
            f"{words.number(r.simulated)}" for r in g.itertuples()) + "."
        rows = "".join(
            f"<tr><td style='padding:2px 8px'>{words.time_label(r.time, tu)}</td>"
            f"<td style='padding:2px 8px'>{words.number(r.predicted)}</td>"
            f"<td style='padding:2px 8px'>{words.number(r.simulated)}</td>"
            f"<td style='padding:2px 8px'>{words.signed(r.gap)}</td></tr>" for r in g.itertuples())
        self.table.value = ("<table style='font-size:14px;border-collapse:collapse'><thead><tr>"
                            "<th style='padding:2px 8px;text-align:left'>Time</th>"
                            "<th style='padding:2px 8px;text-align:left'>You expected</th>"
                            "<th style='padding:2px 8px;text-align:left'>Model</th>"
                            "<th style='padding:2px 8px;text-align:left'>Gap</th></tr></thead>"
                            f"<tbody>{rows}</tbody></table>")

    def _reveal_clicked(self):
        try:
            self.reveal()
        except ModelError as err:
            self.message.value = _message(str(err), "error")

    def try_again(self):
        """Clear the run and unlock the fields (the previous guesses stay as a start)."""
        self.result = self.prediction = self.gaps = self.score = None
        for field in self.fields[1:]:
            field.disabled = False
        self.reveal_button.disabled = False
        self.again_button.layout.display = "none"
        self.message.value = ""
        self.table.value = ""
        self._sketch()


def _text_style():
    from ipywidgets.widgets.widget_string import TextStyle  # not exported at the top of ipywidgets 8

    return TextStyle(description_width="110px")


def _field_layout():
    return W.Layout(width="260px")


def predict(model, output, *, params=None, times=None, points=5, limits=None, render="interactive", question=None):
    """A predict-then-run exercise for one output of a model.

    The learner types the value they expect at a few times (the start is given),
    watches their sketch take shape, then presses *Run the model*: the run appears
    beside the prediction, with the gap at each time and in summary.

    Parameters
    ----------
    model : Model or str
    output : str
        The variable to predict.
    params : dict, optional
        Parameter values for the run (the scenario the learner predicts).
    times : list of float, optional
        When to predict (default: ``points`` evenly spaced times over the run).
    points : int
        Number of times including the start, when ``times`` is not given.
    limits : (float, float), optional
        Allowed range of predictions; values outside are refused with a message.
    render : {"interactive", "svg"}
    question : str, optional
        The question put to the learner.

    Returns
    -------
    Predict

    Examples
    --------
    >>> import dpmkit as dk
    >>> p = dk.widgets.predict("demo", "waiting_list", params={"staff_target": 14}, points=3)
    >>> p.set_prediction([200, 400])
    >>> gaps = p.reveal()
    >>> round(float(gaps["gap"].iloc[-1]))
    -856
    """
    return Predict(model, output, params=params, times=times, points=points, limits=limits, render=render,
                   question=question)
