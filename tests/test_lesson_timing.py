"""Lesson timings come from a headless run of the learner notebook plus reading and answering time."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("lesson_timing", ROOT / "tools" / "lesson_timing.py")
timing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(timing)


def _md(cid, words, tags=()):
    return {"cell_type": "markdown", "id": cid, "metadata": {"tags": list(tags)}, "source": " ".join(["word"] * words)}


def _code(cid, text="x = 1", tags=()):
    return {"cell_type": "code", "id": cid, "metadata": {"tags": list(tags)}, "source": text, "outputs": [],
            "execution_count": None}


def test_the_estimate_adds_running_reading_and_answering():
    wpm = timing.WORDS_PER_MINUTE
    nb = {"cells": [
        _md("intro", wpm),                                    # 1 minute of reading
        _code("run"),                                         # looked at and run, plus 30 s measured
        _code("chart", "dk.charts.static(chart)"),            # a chart to read
        _md("predict", wpm // 2, ["predict"]),                # half a minute, plus the prediction
        _md("exercise", wpm, ["exercise"]),                   # read on both tracks
        _code("starter", "x = ___", ["answer", "nbval-skip"]),  # the code track fills it in
        _code("ready", "x = 1", ["nocode"]),                  # the no-code track runs it: 60 s measured
        _code("check-1", 'dk.widgets.check("How many?", 3)', ["check"]),
        _code("check-2", 'dk.widgets.check("Why?", points=["a"])', ["check"]),
        _md("key", 0),
        {"cell_type": "markdown", "id": "next", "metadata": {}, "source": "## Next"},
    ]}
    m = timing.estimate(nb, {"run": 30.0, "ready": 60.0})
    cell = timing.CODE_CELL_SECONDS / 60
    assert m["teaching"] == pytest.approx(1 + cell + 0.5 + cell + timing.FIGURE_MINUTES + 0.5
                                          + timing.PREDICT_MINUTES + 1 / wpm)
    answers = timing.CHECK_MINUTES + timing.SENTENCE_MINUTES
    assert m["no_code"] == pytest.approx(1 + cell + 1.0 + answers)
    assert m["code"] == pytest.approx(1 + timing.STARTER_MINUTES + 1.0 + answers)
    assert m["run_seconds"] == 90.0


def test_minutes_round_up_to_five_and_starters_are_left_out_of_the_run():
    assert [timing._round5(x) for x in (0.2, 5, 5.1, 23.9)] == [5, 5, 10, 25]
    nb = {"cells": [_code("a"), _code("b", "x = ___", ["answer", "nbval-skip"]), _code("c")]}
    assert [c["id"] for c in timing.runnable(nb)["cells"]] == ["a", "c"]


def test_the_header_says_how_the_lesson_was_timed():
    meta = {"title": "T", "guiding_question": "Q?", "objectives": ["Do a", "Do b", "Do c"], "prerequisites": [],
            "teaching_minutes": 25, "exercise_minutes": 30, "exercise_minutes_no_code": 15,
            "timing": {"measured": "2026-12-02", "run_seconds": 41, "how": "a headless run"}}
    text = timing.nbtools.header_text(meta)
    assert "25 minutes of teaching and 30 minutes of exercises (15 on the no-code track)" in text
    assert "Timed on 2026-12-02: a headless run; the code cells ran in 41 s." in text


def test_a_link_is_read_as_its_shown_words_not_its_target_or_title():
    # the build links glossary terms with their definition as the link's title (shown on hover);
    # counted as read, they added 6-10 minutes to a lesson (04: 1,243 of 5,163 words)
    linked = ('A [strategic resource](../workshops/handouts/glossary.md#strategic-resource "A stock an '
              'organisation uses or influences to create value.") grows.')
    assert timing._words(linked) == timing._words("A strategic resource grows.") == 4
    assert timing._words("see [the glossary](glossary.md) and [B1](#b1)") == 5
    assert timing._words("a (bracket) and [square] stay") == 5
