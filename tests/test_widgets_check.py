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
    verdict, message = judge("1.080", 500)  # neither reading (1080, 1.08) is right: ask which is meant
    assert verdict == "wrong" and "1080" in message and "1.08" in message
    verdict, message = judge("lots", 1080)
    assert verdict == "wrong" and "your answer" in message



@pytest.mark.parametrize("typed, answer, rules", [
    ("2.2%", 0.022, {"absolute": 0.002}),             # lesson 10: a monthly leaving rate, as a percentage
    ("2,2 %", 0.022, {"absolute": 0.002}),
    ("2.2 per cent", 0.022, {"absolute": 0.002}),
    ("40%", 0.4, {"absolute": 0.1}),
    ("19%", 19, {"absolute": 2, "units": "%"}),       # lesson 04: "by what % has NEET changed?"
    ("+19%", 19, {"absolute": 2, "units": "%"}),       # as lesson 04's ready-made cell prints it
    ("+19 %", 19, {"absolute": 2, "units": "%"}),
    ("0.19", 19, {"absolute": 2, "units": "%"}),       # a share, as Excel holds 19%
    ("about 1,320", 1320, {"tolerance": 0.03}),
    ("~1320", 1320, {"tolerance": 0.03}),
    ("1,320 young people.", 1320, {"tolerance": 0.03, "units": "young people"}),
    ("23 posts", 23, {"absolute": 0, "units": "posts"}),
    ("year 2", 2, {"absolute": 0.5, "units": "year"}),
    ("2 years", 2, {"absolute": 0.5, "units": "year"}),
    ("6.7 points", 7, {"absolute": 1, "units": "points"}),
    ("2.125", 2.25, {"absolute": 0.125, "units": "years"}),  # read as 2.125, not refused as maybe 2125
    ("1.080", 1080, {}),                                       # read as 1080, the reading that is right
])
def test_a_right_number_typed_as_people_write_it_counts(typed, answer, rules):
    """Before, each of these got "not a number" (or, for 2.125, "write 2125 or 2.125": what
    was typed) and a no-code learner with the right number could not get past the box."""
    verdict, message = judge(typed, answer, **rules)
    assert verdict == "right", message


def test_a_per_cent_sign_is_not_a_licence_for_a_wrong_number():
    assert judge("22%", 0.022, absolute=0.002)[0] == "wrong"
    assert judge("0.5", 19, absolute=2, units="%")[0] == "wrong"
    assert judge("19", 0.19, absolute=0.01)[0] == "wrong"
    assert judge("24 posts", 23, absolute=0, units="posts")[0] == "wrong"
    assert judge("posts", 23, units="posts")[0] == "wrong"
    verdict, message = judge("2.2", 0.022, absolute=0.002)  # per cent meant, the sign left out
    assert verdict == "wrong" and message == "Not yet: 2.2 is too high. If you mean 2.2%, type the per cent sign: 2.2%."


def test_feedback_echoes_the_number_typed_not_a_rounded_one():
    # rounded to 3 figures, 23.04 read "Not yet: 23 is too high" beside an answer of 23 posts
    assert judge("23.04", 23, absolute=0)[1] == "Not yet: 23.04 is too high. Look again, or press Show the answer."
    assert judge("2010.4", 2010.5, absolute=0.05)[1].startswith("Not yet: 2010.4 is too low.")
    assert judge("1,500", 1057)[1].startswith("Not yet: 1,500 is too high.")
    assert judge("0.19", 19, absolute=2, units="%")[1] == "Right: 0.19, that is 19%."


def test_the_widget_reads_its_units_beside_the_number():
    box = check("The smallest number of funded posts with 5% training?", 23, absolute=0, units="posts")
    assert box.answer_with("23 posts") == "right" and "Right: 23." in box.feedback.value
    share = check("By what % has NEET changed?", 19, absolute=2, units="%")
    assert share.answer_with("19%") == "right" and share.answer_with("0.19") == "right"

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


def test_a_rounded_count_written_with_k_is_read_as_thousands():
    assert judge("1.3k", 1320, tolerance=0.03) == ("right", "Right: 1.3k.")
    assert judge("1,3k", 1320, tolerance=0.03)[0] == "right"  # a decimal comma, as elsewhere
    assert judge("2k", 1320, tolerance=0.03)[1] == "Not yet: 2k is too high. Look again, or press Show the answer."
    assert judge("k", 1320)[0] == "wrong" and "not a number" in judge("k", 1320)[1]


def test_a_long_paste_is_not_echoed_in_full():
    verdict, message = judge("1" * 200, 5)
    assert verdict == "wrong" and "1" * 41 not in message and "too high" in message


def test_an_answer_that_is_a_moment_is_shown_as_people_say_it():
    # lesson 03 asks "in which year is governance-first furthest behind?": the answer read "2 year"
    c = check("Under clustering: in which year is governance-first furthest behind?", 2, absolute=0.5,
              units="year")
    c.show_button.click()
    assert "The answer: year 2 (anything within 0.5 years counts)." in c.feedback.value
    assert c.answer_with("year 2") == "right" and c.answer_with("2") == "right"
    calendar = check("When does the list peak?", 2010.5, absolute=0.25, units="year")
    assert calendar.answer_text() == "July 2010 (anything within 0.25 years counts)"
    lasting = check("How long does the dip last?", 3, absolute=0.5, units="years")  # a span keeps its units
    assert lasting.answer_text() == "3 years (anything within 0.5 years counts)"


def test_the_answer_shown_gives_its_margin_in_the_answers_units():
    # the walk-through of lessons 02, 04 and 07: "Show the answer" read "week 64 (anything within
    # 1 weeks counts)", "19 % (anything within 2 counts)" (2 what?) and "3 (anything within 0 counts)"
    week = check("In which week is the list back to 100?", 64, absolute=1, units="week")
    week.show_button.click()
    assert "The answer: week 64 (anything within 1 week counts)." in week.feedback.value
    share = check("After one year, by what % has NEET changed?", 19, absolute=2, units="%")
    assert share.answer_text() == "19% (anything within 2 percentage points counts)"
    assert check("How many comparisons favour targets?", 3, absolute=0).answer_text() == "3"
    years = check("After how many years?", 2.25, absolute=0.125, units="years")
    assert years.answer_text() == "2.25 years (anything within 0.125 years counts)"
    assert check("How many?", 830, absolute=20, units="people").answer_text() == (
        "830 people (anything within 20 people counts)")
    assert check("How many?", 830, tolerance=0.05, units="people").answer_text() == (
        "830 people (anything within 5% counts)")


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


def test_a_number_followed_by_what_it_counts_is_read():
    # lesson 02 asks "About how many volunteers are there at month 36?" (units people): "850
    # volunteers" was "not a number"; lesson 02's "How many feedback loops?" the same for "4 loops"
    assert judge("850 volunteers", 830, tolerance=0.05, units="people") == ("right", "Right: 850.")
    assert judge("4 loops", 4, absolute=0) == ("right", "Right: 4.")
    assert judge("about 1.3k people", 1320, tolerance=0.03)[0] == "right"
    assert judge("2 loops", 4, absolute=0) == ("wrong", "Not yet: 2 is too low. Look again, or press Show the answer.")
    assert judge("19 per cent", 19, absolute=2, units="%")[0] == "right"  # 'cent' is not what is counted


def test_a_small_count_written_in_words_is_read():
    # lesson 02's "How many feedback loops?": "four" and "Four loops." were "not a number"
    assert judge("four", 4, absolute=0) == ("right", "Right: 4.")
    assert judge("Four loops.", 4, absolute=0) == ("right", "Right: 4.")
    assert judge("about twenty posts", 20, absolute=0, units="posts")[0] == "right"
    assert judge("year two", 2, absolute=0.5, units="year")[0] == "right"
    assert judge("five", 4, absolute=0) == ("wrong", "Not yet: 5 is too high. Look again, or press Show the answer.")
    assert judge("someone", 1, absolute=0)[0] == "wrong"  # a word that holds one is not one


def test_a_word_after_the_number_never_turns_a_wrong_answer_right():
    # which way a change goes: "19% down" must not count for a rise of 19%
    for typed in ("19% down", "19% fall", "19% lower"):
        assert judge(typed, 19, absolute=2, units="%")[1].startswith(f"Not yet: {typed} goes the wrong way.")
    # another unit of time than the answer's: said so, not read as the same number
    assert judge("2.25 months", 2.25, absolute=0.125, units="years") == (
        "wrong", "Not yet: the answer is in years, and you typed months. Give it in years.")
    assert judge("64 days", 64, absolute=1, units="week")[1].startswith("Not yet: the answer is in weeks")
    assert judge("64 weeks", 64, absolute=1, units="week")[0] == "right"
    assert judge("2.25 yrs", 2.25, absolute=0.125, units="years")[0] == "right"


def test_an_answer_on_the_edge_of_the_margin_counts_as_the_margin_says():
    # lesson 06: "True performance in 2022 without the retreat?" (0.58, anything within 0.02
    # counts): "0.6" was "too high", since 0.6 - 0.58 is 0.020000000000000018 in floating point
    assert judge("0.6", 0.58, absolute=0.02) == ("right", "Right: 0.6.")
    assert judge("0.56", 0.58, absolute=0.02)[0] == "right"
    assert judge("0.61", 0.58, absolute=0.02)[0] == "wrong"
    assert judge("0.7", 0.6, absolute=0.1)[0] == "right" and judge("0.71", 0.6, absolute=0.1)[0] == "wrong"
    assert judge("1.1", 1.0, tolerance=0.1)[0] == "right" and judge("1.11", 1.0, tolerance=0.1)[0] == "wrong"


def test_a_change_typed_with_its_direction_counts_when_number_and_direction_are_right():
    """The walk-through typed 'up 19%' for lesson 04's 'by what % has NEET changed?' (19, units
    %) and 'down 2.2%' for a fall of 2.2%: both were 'not a number'. They count now; the wrong
    direction is refused in words, and the margin still applies to the size."""
    neet = dict(absolute=2, units="%")
    for typed in ("up 19%", "Up 19%.", "a rise of 19%", "rose by 19%", "19% up", "19% higher", "an increase of 19 %"):
        assert judge(typed, 19, **neet) == ("right", f"Right: {typed.rstrip('.')}."), typed
    for typed in ("down 2.2%", "a fall of 2.2%", "fell by 2.2%", "2.2% lower", "a drop of 2.2%"):
        assert judge(typed, -0.022, absolute=0.002)[0] == "right", typed
    assert judge("down 19%", 19, **neet) == (
        "wrong", "Not yet: down 19% goes the wrong way. The size is right: did it go up or down?")
    assert judge("a fall of 19%", 19, **neet)[1].startswith("Not yet: a fall of 19% goes the wrong way.")
    assert judge("−19%", 19, **neet)[1].startswith("Not yet: −19% goes the wrong way. The size is right")
    assert judge("down 40%", 19, **neet) == ("wrong", "Not yet: down 40% goes the wrong way. Did it go up or down?")
    assert judge("up 30%", 19, **neet)[1] == "Not yet: up 30% is too high. Look again, or press Show the answer."
    assert judge("up 12%", 19, **neet)[1] == "Not yet: up 12% is too low. Look again, or press Show the answer."
    # a bare size for a fall: the size is right, the direction is missing
    assert judge("19%", -0.19, absolute=0.02)[1].startswith("Not yet: 19% is the right size, but which way did it go?")
    # a word and a minus sign at once is not guessed at
    assert judge("down -19%", -0.19, absolute=0.02)[1].startswith("Not yet: down -19% says the way twice")
    # a question about a fall: its positive answer is the size of the fall
    fall = dict(absolute=2, units="%", question="By what % did NEET fall after the cut?")
    assert judge("down 19%", 19, **fall)[0] == "right" and judge("19%", 19, **fall)[0] == "right"
    assert judge("up 19%", 19, **fall)[1].startswith("Not yet: up 19% goes the wrong way.")
    # a question that only mentions a cut, or 'fewer than', is no question about a fall
    cut = dict(absolute=2, units="%", question="After the budget cut, by what % has NEET changed?")
    assert judge("up 19%", 19, **cut)[0] == "right" and judge("down 19%", 19, **cut)[0] == "wrong"
    assert judge("up 20", 20, absolute=0, question="The first staff target with fewer than 100 waiting?")[0] == "right"


def test_a_count_typed_out_of_its_whole_is_read():
    """Lesson 07's 'How many of the four comparisons favour the target regime?' (3): '3 of 4'
    was 'not a number'."""
    lesson_07 = dict(absolute=0)
    for typed in ("3 of 4", "3 out of 4", "three of four", "Three out of the four.", "3 of 4 comparisons"):
        assert judge(typed, 3, **lesson_07)[0] == "right", typed
    assert judge("2 of 4", 3, **lesson_07)[1] == "Not yet: 2 of 4 is too low. Look again, or press Show the answer."
    assert judge("3 of 4", 0.75, absolute=0.01)[0] == "right"  # a share asked for
    w = dk.widgets.check("How many of the four comparisons favour the target regime?", 3, absolute=0)
    assert w.answer_with("3 of 4") == "right" and "Right: 3 of 4." in w.feedback.value
    w = dk.widgets.check("After one year, with faster decommissioning, by what % has NEET changed?", 19,
                         absolute=2, units="%")
    assert w.answer_with("down 19%") == "wrong" and "goes the wrong way" in w.feedback.value
    assert w.answer_with("up 19%") == "right"


def test_pasted_runs_of_spaces_or_a_page_of_text_are_answered_at_once():
    from test_hostile_engine import watchdog

    # a run of 20,000 spaces took 85 s to refuse (patterns with two spaces' quantifiers side by side)
    with watchdog(20):
        assert judge("1" + " " * 20_000 + "x", 19, absolute=2, units="%")[0] == "wrong"
        assert judge("up " + "1 " * 20_000, 19, absolute=2, units="%")[0] == "wrong"
    # runs of spaces read as one, as a person means them; an answer longer than any answer says so
    assert judge("  up   19 %  ", 19, absolute=2, units="%") == ("right", "Right: up 19 %.")
    verdict, said = judge("19" + "0" * 250, 19, absolute=2)
    assert verdict == "wrong" and said.startswith("Not yet: that is 252 characters long")
