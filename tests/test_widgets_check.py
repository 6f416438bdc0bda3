"""The check-my-answer widget: the judgement a learner reads, and the widget driven as by hand."""

import pytest

import dpmkit as dk
from dpmkit.widgets import check, judge


@pytest.mark.parametrize("typed", ["1,080", "1 080", "1080", "1030", "1,100.5", 1057])
def test_a_number_within_tolerance_is_right_however_it_is_typed(typed):
    assert judge(typed, 1057, tolerance=0.05)[0] == "right"


@pytest.mark.parametrize("typed, side", [("1,200", "too high"), ("900", "too low"), ("-5", "too low")])
def test_a_wrong_number_says_which_side_without_giving_the_answer(typed, side):
    verdict, message = judge(typed, 1057, tolerance=0.05)
    assert verdict == "wrong" and side in message
    assert "1,057" not in message and "1057" not in message


def test_tolerance_is_a_relative_margin_and_absolute_overrides_it():
    assert judge("105", 100, tolerance=0.05)[0] == "right"
    assert judge("105.1", 100, tolerance=0.05)[0] == "wrong"
    assert judge("2.5", 2.25, absolute=0.25)[0] == "right"
    assert judge("2.6", 2.25, absolute=0.25)[0] == "wrong"
    assert judge("0", 0, tolerance=0.05)[0] == "right"
    assert judge("0,15", 0.15, absolute=0.01)[0] == "right"  # a decimal comma


def test_text_that_is_not_a_number_gets_the_kits_message():
    verdict, message = judge("1.080", 1080)
    assert verdict == "wrong" and "1080" in message and "1.08" in message
    verdict, message = judge("lots", 1080)
    assert verdict == "wrong" and "your answer" in message


def test_blank_answers_are_not_judged():
    assert judge("", 5)[0] == "blank"
    assert judge("  ", 5)[0] == "blank"
    assert judge(None, "a", choices=["a", "b"])[0] == "blank"
    assert judge("", None, points=["x"])[0] == "blank"


def test_choices_and_sentences():
    assert judge("worse", "worse", choices=["better", "worse"]) == ("right", "Right: worse.")
    assert judge("better", "worse", choices=["better", "worse"])[0] == "wrong"
    points = ["only the product acts", "a new kind of data"]
    verdict, message = judge("Only their product matters.", None, points=points)
    assert verdict == "compare" and "- only the product acts" in message and "- a new kind of data" in message


def test_bad_set_ups_are_refused_with_a_clear_message():
    with pytest.raises(dk.ModelError, match="not one of the choices"):
        check("Which?", "maybe", choices=["yes", "no"])
    with pytest.raises(dk.ModelError, match="finite number"):
        check("How many?", "many")
    with pytest.raises(dk.ModelError, match="tolerance"):
        check("How many?", 5, tolerance=5)
    with pytest.raises(dk.ModelError, match="question"):
        check("", 5)


def test_the_widget_driven_as_a_learner_would():
    c = check("NEET in April 2014?", 430, units="young people", explain="The model's base run.")
    assert c.kind == "number" and c.verdict is None and c.feedback.value == ""
    c.check_button.click()  # nothing typed: no error, a prompt
    assert c.verdict == "blank" and "Type a number" in c.feedback.value
    c.field.value = "500"
    c.check_button.click()
    assert c.verdict == "wrong" and "too high" in c.feedback.value and "430" not in c.feedback.value
    assert c.answer_with(440) == "right" and "base run" in c.feedback.value
    c.show_button.click()
    assert "430 young people" in c.feedback.value and "5%" in c.feedback.value


def test_choice_and_sentence_widgets():
    c = check("After one year?", "worse", choices=["better", "worse", "no clear change"])
    assert c.field.value is None and list(c.field.options) == ["better", "worse", "no clear change"]
    assert c.answer_with("no clear change") == "wrong"
    assert c.answer_with("worse") == "right"
    s = check("Why can the data not tell them apart?", points=["only the product acts"])
    assert not hasattr(s, "show_button") or s.show_button not in s.children[1].children
    assert s.answer_with("") == "blank"
    assert s.answer_with("Because they multiply.") == "compare" and "only the product acts" in s.feedback.value


def test_without_a_live_kernel_the_question_still_shows():
    bundle = check("NEET in April 2014?", 430)._repr_mimebundle_()
    assert "NEET in April 2014?" in bundle["text/plain"] and "NEET in April 2014?" in bundle["text/html"]
    assert "430" not in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_the_static_picture_is_a_worksheet_that_never_gives_the_answer_away():
    number = check("How many young people were NEET at the end of March 2014?", 426, units="people")._static_bundle()
    svg = number["image/svg+xml"]
    assert svg.startswith("<svg") and "March 2014" in svg and "people" in svg and "<line" in svg
    assert "426" not in svg and "426" not in number["text/html"] and "426" not in number["text/plain"]
    # a live JupyterLab hides this output: it carries the widget view mime with no model
    assert number["application/vnd.jupyter.widget-view+json"]["model_id"] == ""
    choice = check("Which regime sustains improvement?", "negotiated", choices=["imposed", "negotiated"])
    svg = choice._static_bundle()["image/svg+xml"]
    assert svg.count("<rect") == 3 and "imposed" in svg and "negotiated" in svg  # frame + one box a choice
    sentence = check("Why?", points=["the product acts"])._static_bundle()["image/svg+xml"]
    assert sentence.count("<line") == 3 and "the product acts" not in sentence
    escaped = check("Is a < b & c?", 1)._static_bundle()["image/svg+xml"]
    assert "a &lt; b &amp; c?" in escaped
