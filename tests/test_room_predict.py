"""Predict, then run, in the room: when the facilitator asks for "Predict first", every
participant's page hides the levers and the chart until its participant has written what they
expect and run the model; their prediction then fills the ballot's empty prediction boxes.

The participant's page is rendered with ``solara.render`` (widgets without a browser) on a real
room folder; the facilitator's switch goes through the room's state, as from the dashboard.
"""

from __future__ import annotations

import warnings

import pytest
from widget_tree import wait_for, widgets

from dpmkit import words, workshop
from dpmkit.room.state import Room
from dpmkit.widgets.explorer import Explorer
from dpmkit.widgets.predict import Predict

solara = pytest.importorskip("solara")


def _find(root, kind):
    return [w for w in widgets(root) if isinstance(w, kind)]


def _prediction_boxes(root):
    return {w.label: w.v_model for w in widgets(root)
            if str(getattr(w, "label", "") or "").startswith("Your prediction:")}


@pytest.fixture
def participant(tmp_path, monkeypatch):
    from dpmkit.room import pages

    room = Room(tmp_path / "room", model="demo", code="TEAL7")
    monkeypatch.setattr(pages, "ROOM", room)
    contexts = []

    def render():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box, context = solara.render(pages.Participant(), handle_error=False)
        contexts.append(context)
        return box

    yield room, render
    for context in contexts:
        context.close()


def test_predict_first_hides_the_levers_until_the_participant_has_predicted(participant):
    room, render = participant
    room.set_predict_first(True)
    page = render()
    (predictor,) = _find(page, Predict)
    assert _find(page, Explorer) == []  # no levers, no chart of the run yet
    assert "Predict first" in "".join(getattr(w, "unsafe_innerHTML", "") or "" for w in widgets(page))
    stop = room.model.stop
    (first, _), *_ = workshop.prediction_spec(room.model, None)  # what the ballot asks about first
    assert predictor.output == first and predictor.times[-1] == stop
    boxes = _prediction_boxes(page)
    assert boxes and all(v == "" for v in boxes.values())

    later = predictor.times[1:]
    guesses = [1000 + 10 * k for k in range(len(later))]
    predictor.set_prediction(guesses)
    predictor.reveal()  # what "Run the model" does
    wait_for(lambda: _find(page, Explorer), 30, "the levers and the chart after the reveal")
    assert _find(page, Predict) == [predictor]  # the comparison stays on the page
    # the prediction for the time the ballot asks about is now in the ballot's box, as typed
    label = next(k for k in _prediction_boxes(page) if room.model[predictor.output].label in k)
    wait_for(lambda: _prediction_boxes(page)[label] == words.number(guesses[-1]), 30, "the ballot's box filled in")


def test_the_facilitators_switch_reaches_open_pages_and_outlives_a_restart(participant):
    room, render = participant
    page = render()
    assert len(_find(page, Explorer)) == 1 and _find(page, Predict) == []
    room.set_predict_first(True)
    wait_for(lambda: _find(page, Predict) and not _find(page, Explorer), 30, "the open page to switch to predict first")
    assert Room(room.folder, model="demo").state.predict_first is True  # kept in the folder
    room.set_predict_first(False)
    wait_for(lambda: _find(page, Explorer) and not _find(page, Predict), 30, "the open page to switch back")


def test_a_surrey_room_shows_and_asks_for_neet_at_the_end_of_march_2014(tmp_path, monkeypatch):
    # The half-day plan: "Predict NEET at the end of March 2014 ... then everyone moves the levers in
    # the room's explorer". The room's defaults charted legacy and commissioned services and asked
    # for legacy services (£m a year) at 2022, so a participant's 1,080 was read as £1,080m.
    from dpmkit.room import pages

    room = Room(tmp_path / "room", model="surrey", code="TEAL7")
    monkeypatch.setattr(pages, "ROOM", room)
    neet = room.model["neet"].label
    assert workshop.prediction_spec(room.model, None) == [("neet", 2014.25)]
    contexts = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            page, context = solara.render(pages.Participant(), handle_error=False)
        contexts.append(context)
        (explorer,) = _find(page, Explorer)
        assert explorer.outputs == ["neet"]
        assert list(_prediction_boxes(page)) == [f"Your prediction: {neet} (people) at the end of March 2014"]
        room.set_predict_first(True)  # predict first: the prediction fills the ballot's box for 2014.25
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            page, context = solara.render(pages.Participant(), handle_error=False)
        contexts.append(context)
        (predictor,) = _find(page, Predict)
        assert predictor.output == "neet" and 2014.25 in predictor.times
        guesses = [900 + 10 * k for k in range(len(predictor.times) - 1)]
        predictor.set_prediction(guesses)
        predictor.reveal()
        wanted = words.number(guesses[predictor.times.index(2014.25) - 1])
        label = f"Your prediction: {neet} (people) at the end of March 2014"
        wait_for(lambda: _prediction_boxes(page).get(label) == wanted, 30, "the ballot's box filled in")
    finally:
        for context in contexts:
            context.close()


def test_a_page_whose_address_names_a_table_starts_with_it_chosen(participant):
    """A game's page (/?code=...&table=Red) follows the room when the facilitator starts the explorer
    again (the full-day plan does, twice): its ballot starts with that table, not an empty choice."""
    from dpmkit.room import pages

    assert list(participant[0].tables[:2]) == ["Table 1", "Table 2"]  # the room the page is drawn on
    assert pages._participant_url("teal7", "b1", "Red & Blue") == "?code=TEAL7&v=b1&table=Red%20%26%20Blue"
    assert pages._participant_url("teal7", "b1") == "?code=TEAL7&v=b1"
    contexts = []
    try:
        for named, chosen in (("Table 2", "Table 2"), ("Nowhere", None), ("", None)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                page, context = solara.render(pages.Participant(named), handle_error=False)
            contexts.append(context)
            (select,) = [w for w in widgets(page) if getattr(w, "label", None) == "Your table"]
            assert select.v_model == chosen, named
    finally:
        for context in contexts:
            context.close()
