"""Calibration to observed series, parameter uncertainty, and rolling recalibration."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk


def logistic_model():
    return dk.Model("logistic", [
        dk.Stock("users", 50, units="people"),
        dk.Flow("adoption", "rate * users * (1 - users / ceiling)", into="users", units="people/year"),
        dk.Param("rate", 0.4, bounds=(0.05, 2), units="1/year"),
        dk.Param("ceiling", 2000, bounds=(500, 10000), units="people"),
    ], start=2000, stop=2030, dt=0.25)


def noisy(model, truth, names, every, sd, seed):
    run = dk.simulate(model, truth)
    frame = run.to_frame(names).iloc[::every].copy()
    rng = np.random.default_rng(seed)
    for col in frame:
        frame[col] = frame[col] + sd * rng.standard_normal(len(frame))
    return frame


def test_recovers_known_parameters_from_noisy_data_and_the_truth_is_in_the_interval():
    model = logistic_model()
    truth = {"rate": 0.55, "ceiling": 3000}
    data = noisy(model, truth, ["users"], every=4, sd=30, seed=11)
    fit = dk.calibrate(model, data, params=["rate", "ceiling"])
    assert fit.success
    for name, value in truth.items():
        row = fit.table.loc[name]
        assert row["low"] <= value <= row["high"], (name, row)
        assert row["estimate"] == pytest.approx(value, rel=0.05)
        assert 0 < row["std_error"] < 0.1 * value
    assert fit.fit.loc["users", "rmse"] == pytest.approx(30, rel=0.3)
    assert fit.fit.loc["users", "r2"] > 0.99
    assert fit.model["rate"].default == pytest.approx(fit.params["rate"])
    assert fit.model["ceiling"].default == pytest.approx(fit.params["ceiling"])


def test_intervals_cover_the_truth_about_95_percent_of_the_time():
    model = logistic_model()
    truth = {"rate": 0.55, "ceiling": 3000}
    covered = []
    for seed in range(40):
        data = noisy(model, truth, ["users"], every=8, sd=40, seed=100 + seed)
        fit = dk.calibrate(model, data, params=["rate", "ceiling"], starts=1)
        covered.append(fit.table.loc["rate", "low"] <= 0.55 <= fit.table.loc["rate", "high"])
    # expected 38 of 40; fewer than 34 would be a 1-in-50 event for a correct 95% interval
    assert sum(covered) >= 34


def test_recovers_three_parameters_of_the_demo_model_from_three_series_with_gaps():
    model = dk.models.load("demo")
    truth = {"referral_rate": 45, "cases_per_worker": 2.0, "base_quit_rate": 0.02}
    run = dk.simulate(model, truth)
    data = run.to_frame(["waiting_list", "staff", "served"]).iloc[::4].copy()
    rng = np.random.default_rng(0)
    for col in data:
        data[col] = data[col] * (1 + 0.02 * rng.standard_normal(len(data)))
    data.iloc[3, 0] = np.nan
    data.iloc[10:14, 1] = np.nan
    fit = dk.calibrate(model, data, params=list(truth))
    for name, value in truth.items():
        assert fit.table.loc[name, "low"] <= value <= fit.table.loc[name, "high"]
    assert fit.fit.loc["waiting_list", "n"] == len(data) - 1
    assert fit.fit.loc["staff", "n"] == len(data) - 4
    assert set(fit.fitted.columns) == {"time", "variable", "observed", "fitted", "residual"}
    text = fit.summary()
    assert "referral_rate" in text and "RMSE" in text and "95% interval" in text and repr(fit) == text


def test_observations_between_time_steps_are_compared_by_interpolation():
    model = dk.Model("line", [
        dk.Stock("s", 0, units="people"),
        dk.Flow("inflow", "rate", into="s", units="people/year"),
        dk.Param("rate", 1, bounds=(0, 10), units="1/year * people"),
    ], stop=10, dt=1)
    data = pd.DataFrame({"s": 3.0 * np.array([0.5, 2.25, 7.8])}, index=[0.5, 2.25, 7.8])
    fit = dk.calibrate(model, data, params=["rate"], starts=1)
    assert fit.params["rate"] == pytest.approx(3.0, rel=1e-6)


@settings(max_examples=15)
@given(rate=st.floats(0.1, 9.9), start=st.floats(0.2, 9.8))
def test_exact_data_give_back_the_parameter_from_any_start(rate, start):
    model = dk.Model("line", [
        dk.Stock("s", 5, units="people"),
        dk.Flow("inflow", "rate * 2", into="s", units="people/year"),
        dk.Param("rate", 1, bounds=(0, 10), units="people/year"),
    ], stop=6, dt=0.5, check_units="off")
    data = dk.simulate(model, {"rate": rate}).to_frame(["s"]).iloc[::3]
    fit = dk.calibrate(model, data, params=["rate"], initial={"rate": start}, starts=1)
    assert fit.params["rate"] == pytest.approx(rate, rel=1e-6, abs=1e-8)


def test_bootstrap_intervals_are_reported_and_reproducible():
    model = logistic_model()
    data = noisy(model, {"rate": 0.55, "ceiling": 3000}, ["users"], every=8, sd=30, seed=2)
    a = dk.calibrate(model, data, params=["rate", "ceiling"], bootstrap=30, seed=1, starts=1)
    b = dk.calibrate(model, data, params=["rate", "ceiling"], bootstrap=30, seed=1, starts=1)
    assert a.table[["boot_low", "boot_high"]].equals(b.table[["boot_low", "boot_high"]])
    row = a.table.loc["rate"]
    assert row["boot_low"] < row["estimate"] < row["boot_high"]
    assert row["boot_low"] <= 0.55 <= row["boot_high"]


def test_parameters_the_data_cannot_separate_are_flagged():
    model = dk.Model("product", [
        dk.Stock("s", 0, units="people"),
        dk.Flow("inflow", "a * b", into="s", units="people/year"),
        dk.Param("a", 1, bounds=(0.1, 10)),
        dk.Param("b", 1, bounds=(0.1, 10)),
    ], stop=10, check_units="off")
    data = dk.simulate(model, {"a": 2, "b": 1.5}).to_frame(["s"])
    data["s"] += np.random.default_rng(0).normal(0, 0.1, len(data))
    fit = dk.calibrate(model, data, params=["a", "b"], starts=1)
    assert np.isinf(fit.table["std_error"]).all()
    assert any("cannot pin down a, b" in note for note in fit.notes)
    assert "not identifiable" in fit.summary()
    assert fit.params["a"] * fit.params["b"] == pytest.approx(3.0, rel=0.02)


def test_a_parameter_ending_on_its_bound_is_flagged():
    model = logistic_model()
    data = noisy(model, {"rate": 0.55, "ceiling": 3000}, ["users"], every=8, sd=10, seed=3)
    fit = dk.calibrate(model, data, params=["rate"], bounds={"rate": (0.05, 0.3)}, initial={"rate": 0.2})
    assert fit.table.loc["rate", "at_bound"]
    assert "ended on a bound" in fit.summary()


def test_recalibration_refits_as_data_arrive_and_estimates_settle_near_the_truth():
    model = logistic_model()
    truth = {"rate": 0.55, "ceiling": 3000}
    data = noisy(model, truth, ["users"], every=4, sd=20, seed=5)
    story = dk.recalibrate(model, data, params=["rate", "ceiling"], start=2008, every=4)
    cutoffs = [2008.0, 2012.0, 2016.0, 2020.0, 2024.0, 2028.0, 2030.0]
    assert list(story.params["fitted_until"].unique()) == cutoffs
    assert list(story.forecasts["fitted_until"].unique()) == cutoffs
    assert set(story.forecasts["variable"]) == {"users"}
    final = story.params[story.params["fitted_until"] == 2030].set_index("param")["estimate"]
    assert final["ceiling"] == pytest.approx(3000, rel=0.05)
    # each refit uses only the data known at its cutoff
    assert story.fits[0].fit.loc["users", "n"] == int((data.index <= 2008).sum())
    # uncertainty about the ceiling shrinks once the curve has bent
    se = story.params[story.params["param"] == "ceiling"].set_index("fitted_until")["std_error"]
    assert se[2030] < se[2012]
    assert "7 refits" in repr(story)
    assert set(story.observed.columns) == {"time", "variable", "value"}


def test_a_recalibration_shown_as_it_is_names_its_dates_as_people_say_them():
    """A code-track learner who shows the result itself (not ``in_words()``) read "data up to
    2011.25 ... 2017.25" and a column of 2011.25, 2012.25, ...: the dates are said as months."""
    model = logistic_model()
    data = noisy(model, {"rate": 0.55, "ceiling": 3000}, ["users"], every=1, sd=20, seed=5)  # quarterly
    story = dk.recalibrate(model, data, params=["rate"], start=2011.25, every=6)
    shown = repr(story)
    assert shown.splitlines()[0] == "<Recalibration: 5 refits, data up to April 2011 ... 2030>", shown
    assert "April 2017" in shown and "2017.25" not in shown and "2011.25" not in shown


def test_bad_data_and_bad_settings_are_clear_model_errors():
    model = logistic_model()
    data = noisy(model, {"rate": 0.5, "ceiling": 3000}, ["users"], every=4, sd=10, seed=1)
    with pytest.raises(dk.ModelError, match="empty"):
        dk.calibrate(model, pd.DataFrame(), params=["rate"])
    with pytest.raises(dk.ModelError, match="every value is missing"):
        dk.calibrate(model, pd.DataFrame({"users": [np.nan, np.nan]}, index=[2001, 2002]), params=["rate"])
    with pytest.raises(dk.ModelError, match=r"no column of data 'user'.*did you mean 'users'"):
        dk.calibrate(model, data.rename(columns={"users": "user"}), params=["rate"])
    late = pd.DataFrame({"users": [100.0, 200.0]}, index=[2010, 2040])
    with pytest.raises(dk.ModelError, match="time 2040, outside the simulated span 2000 to 2030") as err:
        dk.calibrate(model, late, params=["rate"])
    assert err.value.time == 2040
    huge = pd.DataFrame({"users": [100.0, -1e300]}, index=[2010, 2012])  # a slip in Excel, or hostile
    with pytest.raises(dk.ModelError, match=r"'users' of data has -1e\+300 at time 2012: too large to fit") as err:
        dk.calibrate(model, huge, params=["rate"])
    assert (err.value.variable, err.value.time) == ("users", 2012)
    with pytest.raises(dk.ModelError, match="starting value 3 of 'rate' lies outside its search range"):
        dk.calibrate(model, data, params=["rate"], initial={"rate": 3})
    with pytest.raises(dk.ModelError, match=r"starting value 0\.4 of 'rate' lies outside its search range 1 to 2"):
        dk.calibrate(model, data, params=["rate"], bounds={"rate": (1, 2)})
    with pytest.raises(dk.ModelError, match="beyond its declared bounds"):
        dk.calibrate(model, data, params=["rate"], bounds={"rate": (0, 2)})
    with pytest.raises(dk.ModelError, match="no parameter 'rat'"):
        dk.calibrate(model, data, params=["rat"])
    with pytest.raises(dk.ModelError, match="cannot determine 2 parameter"):
        dk.calibrate(model, data.iloc[:2], params=["rate", "ceiling"])
    with pytest.raises(dk.ModelError, match="must be a pandas DataFrame"):
        dk.calibrate(model, {"users": [1, 2]}, params=["rate"])
    with pytest.raises(dk.ModelError, match="times as numbers"):
        dk.calibrate(model, pd.DataFrame({"users": [1.0, 2.0]}, index=["a", "b"]), params=["rate"])
    with pytest.raises(dk.ModelError, match="the time 2001 twice"):
        dk.calibrate(model, pd.DataFrame({"users": [1.0, 2.0, 3.0]}, index=[2001, 2001, 2002]), params=["rate"])
    with pytest.raises(dk.ModelError, match="'rate' is a parameter"):
        dk.calibrate(model, data.rename(columns={"users": "rate"}), params=["ceiling"])
    with pytest.raises(dk.ModelError, match="has no bounds"):
        unbounded = model.with_variables(dk.Param("rate", 0.4, units="1/year"))
        dk.calibrate(unbounded, data, params=["rate"])
    with pytest.raises(dk.ModelError, match="start=1990 lies outside the data"):
        dk.recalibrate(model, data, params=["rate"], start=1990)
    with pytest.raises(dk.ModelError, match="every must be a positive"):
        dk.recalibrate(model, data, params=["rate"], every=0)


def test_a_starting_point_where_the_model_fails_is_reported():
    model = dk.Model("fragile", [
        dk.Stock("s", 1, units="people"),
        dk.Flow("inflow", "s / (k - 1)", into="s", units="people/year"),
        dk.Param("k", 2, bounds=(1, 3), units="year"),
    ], stop=5)
    data = pd.DataFrame({"s": [1.0, 2.0, 4.0]}, index=[0, 1, 2])
    with pytest.raises(dk.ModelError, match="cannot run at the starting values"):
        dk.calibrate(model, data, params=["k"], initial={"k": 1})


def test_fitted_model_forecasts_beyond_the_data_and_recalibration_picks_its_own_start():
    model = logistic_model()
    data = noisy(model, {"rate": 0.55, "ceiling": 3000}, ["users"], every=8, sd=20, seed=9)
    fit = dk.calibrate(model, data, params=["rate"], starts=1)
    ahead = fit.forecast(["users"], stop=2040)
    assert ahead.index[-1] == 2040
    np.testing.assert_allclose(ahead["users"].loc[:2030].to_numpy(), fit.result["users"])
    story = dk.recalibrate(model, data, params=["rate", "ceiling"], every=10)
    first = story.params["fitted_until"].iloc[0]
    assert first == data.index[2]  # the first time with more observations (3) than parameters (2)


def test_the_refits_in_words_show_as_text_in_a_notebook(tmp_path):
    """Lesson 09's ``story.in_words()`` showed as a pandas table: in JupyterLab every sentence
    right-aligned (ragged on the left), in a plain print padded into a grid that a long sentence
    breaks, and each cell cut at 50 characters with "..." unless the lesson widened pandas'
    columns. Run as the lesson runs it (its own cells, in a real kernel, pandas' display left at its
    default): the HTML a notebook shows aligns every cell left and holds each sentence in full, and
    the text shows each refit's sentences under its date, one a line. (The counts it fits named each
    April "2009.25"; they name it "April 2009".)"""
    import json
    import re
    from pathlib import Path

    from kernel_session import displays, kernel

    root = Path(__file__).resolve().parents[1]
    lesson = root / "notebooks" / "solutions" / "09_learning_partnerships_and_cocreation.ipynb"
    cells = {c["id"]: "".join(c["source"]) for c in json.loads(lesson.read_text("utf-8"))["cells"]}
    setup = "import dpmkit as dk\nimport numpy as np\nimport pandas as pd\nsurrey = dk.models.load('surrey')\n"
    with kernel(tmp_path, cwd=root, PYTHONPATH=str(root)) as session:
        (counts,) = [c["data"] for kind, c in displays(session.run(setup + cells["synthetic-data"]))
                     if kind == "execute_result"]
        assert "story.in_words()" in cells["recalibrate"]
        (shown,) = [c["data"] for kind, c in displays(session.run(cells["recalibrate"])) if kind == "execute_result"]
    page, text = shown["text/html"], shown["text/plain"]
    # the made-up counts it fits name each April as a month, not as the model's time 2009.25
    assert "April 2009" in counts["text/plain"] and "April 2017" in counts["text/plain"]
    assert not re.search(r"20\d\d\.\d", counts["text/plain"] + counts["text/html"])
    cannot = "0: the data cannot pin it down yet (anything from 0 to 1 fits them)"
    assert f">{cannot}</td>" in page and "..." not in page
    tags = re.findall(r"<t[dh]\b[^>]*>", page)
    assert len(tags) == 3 * 8 and all("text-align:left" in tag for tag in tags)
    blocks = text.split("\n\n")
    assert [b.split("\n")[0] for b in blocks] == [f"Data up to April {y}" for y in range(2011, 2018)]
    assert blocks[0].split("\n")[1:] == [f"  Co-production effort: {cannot}",
                                         "  Average NEET spell: 0.66 (0.40 to 0.92)"]


def test_lesson_09s_noisier_world_reads_in_words_on_the_no_code_track(tmp_path):
    """The no-code track of lesson 09's exercise 2 ran the ready-made solution and read a raw table:
    ``2011.25``, ``-230.71 230.71``, ``-0.00``. It now reads the refits in words, as the lesson's
    own table does, and they say what the exercise's answer and check say: even with counts to
    April 2017 the data cannot pin co-production effort down."""
    import json
    import re
    from pathlib import Path

    from kernel_session import displays, kernel

    root = Path(__file__).resolve().parents[1]
    learner = json.loads((root / "notebooks" / "09_learning_partnerships_and_cocreation.ipynb").read_text("utf-8"))
    cells = {c["id"]: "".join(c["source"]) for c in learner["cells"]}
    ready = cells["solution-noise-ready"]
    setup = "import dpmkit as dk\nimport numpy as np\nimport pandas as pd\nsurrey = dk.models.load('surrey')\n"
    with kernel(tmp_path, cwd=root, PYTHONPATH=str(root)) as session:
        session.run(setup + cells["synthetic-data"])
        (shown,) = [c["data"] for kind, c in displays(session.run(ready)) if kind == "execute_result"]
    text = shown["text/plain"]
    assert not re.search(r"20\d\d\.\d|-0\.00|230\.71", text), text
    effort_2017 = text.split("Data up to April 2017")[1].split("\n")[1]
    assert effort_2017 == ("  Co-production effort: 0.586: the data cannot pin it down yet "
                           "(anything from 0 to 1 fits them)")
    check = cells["exercise-noise-check-1"]
    assert '"no"' in check and "cannot pin it down" in check
