"""The evidence registry keeps its own rules: each published entry links a stable page (a DOI or
the publisher's or official page, never an unofficial copy) and quotes the source's exact words;
exceptions are listed with reasons; disagreements are recorded both ways; corrections found
against public sources stay corrected."""

from __future__ import annotations

import html
import re

import pytest

import dpmkit as dk
from dpmkit import evidence, glossary

PUBLISHED = [s for s in evidence.all_sources() if s.status == "published"]


def test_every_published_entry_has_a_stable_link_and_quotes_its_source():
    assert evidence.problems() == []


@pytest.mark.parametrize("source", PUBLISHED, ids=lambda s: s.key)
def test_published_entry_follows_the_rules(source):
    assert evidence.link_problem(source) is None
    assert evidence.quote_problem(source) is None


def _bad(**changes):
    fields = dict(key="synthetic_bad", citation="Someone (2020) A paper", status="published",
                  says="'A passage quoted from it' and more.", url="https://doi.org/10.1000/xyz")
    fields.update(changes)
    return evidence.Source(**fields)


def test_the_checker_accepts_a_good_synthetic_entry():
    assert evidence.problems([_bad()]) == []


@pytest.mark.parametrize("url", ["https://www.scribd.com/document/1/copy", "https://vdocuments.site/x.html",
                                 "https://fliphtml5.com/ijja/hajv/basic/", "https://zlibrary.to/dl/x", "",
                                 "not a link"])
def test_the_checker_rejects_an_unofficial_or_missing_link(url):
    found = evidence.problems([_bad(url=url)])
    assert len(found) == 1 and found[0].startswith("synthetic_bad:")


@pytest.mark.parametrize("says", ["A paraphrase with no quotation at all.", "One 'word' quoted only.",
                                  "Surrey's figure fell, the council's view."])
def test_the_checker_rejects_an_entry_that_does_not_quote(says):
    found = evidence.problems([_bad(says=says)])
    assert len(found) == 1 and "exact words" in found[0]


def test_rules_apply_to_published_entries_only():
    assert evidence.problems([_bad(status="assumption", url="", says="no quote")]) == []


@pytest.mark.parametrize("text, expected", [
    ("He said 'it works well' today.", ["it works well"]),
    ("\u201cTwo words\u201d", ["Two words"]),
    ("Her Majesty\u2019s Inspectorate said \u2018quite an achievement\u2019.", ["quite an achievement"]),
    ("Surrey's and the council's plans.", []),
])
def test_quoted_passages(text, expected):
    assert evidence.quoted_passages(text) == expected


def test_exceptions_are_documented_and_current():
    keys = {s.key for s in evidence.all_sources()}
    for table in (evidence.NO_STABLE_LINK, evidence.NO_QUOTE):
        for key, reason in table.items():
            assert key in keys, f"exception for an unknown key {key!r}"
            assert evidence.get(key).status == "published", f"{key}: only published entries need exceptions"
            assert len(reason) > 20, f"{key}: say why"
    for key in evidence.NO_STABLE_LINK:
        assert not evidence.get(key).url or evidence.link_problem(
            evidence.Source(**{**evidence.get(key).__dict__, "key": "x"})) is not None, \
            f"{key} has a stable link now: remove its exception"


def test_no_registry_url_points_at_an_unofficial_copy():
    copies = ("scribd.com", "fliphtml5.com", "vdocuments", "fdocuments", "docplayer", "zlibrary", "1library",
              "dokumen.tips", "studylib", "123dok", "ebin.pub", "vdoc.pub", "distantreader", "webvpn")
    for s in evidence.all_sources():
        assert not any(c in s.url for c in copies), f"{s.key} links an unofficial copy: {s.url}"


def test_disagreements_are_recorded_both_ways():
    for s in evidence.all_sources():
        for other in s.disagrees_with:
            assert s.key in evidence.get(other).disagrees_with, f"{other} does not name {s.key} back"


# Corrections (issue 11) --------------------------------------------------------------


def test_performance_attractor_is_credited_to_french_and_mollinger_sahba():
    source = evidence.get("attractor_french_mollinger_sahba_2021")
    assert "French" in source.citation and "34(3), 377-391" in source.citation
    for case in ("National Performance Framework", "Alliance to End Homelessness", "Sustainable Development Goals"):
        assert case in source.says
    term = glossary.get("performance attractor")
    assert term.source == "attractor_french_mollinger_sahba_2021"
    assert "kit's own" not in term.definition and "not a term from the sources" not in term.definition
    for key in ("attractor_npf_scotland", "attractor_waaeh"):
        assert "kit's" not in evidence.get(key).notes


def test_neet_annual_figure_is_a_november_to_january_average_for_2012_14():
    source = evidence.get("surrey_neet_annual_average")
    assert "November to January" in source.says
    assert "November 2013 and January 2014" in evidence.get("surrey_neet_rank_2014").says
    assert "surrey_neet_annual_average_esd" in source.disagrees_with


def test_the_449_is_dated_as_the_source_dates_it():
    source = evidence.get("surrey_neet_autumn_2013")
    assert "more than halved in just over four years" in source.says
    assert "mid-2013" in source.notes and "2013.75" in source.notes


def test_bovaird_and_smith_propositions_are_registered_and_marked_unverified():
    source = evidence.get("regimes_bovaird_smith_2015")
    assert "Smith, S. R." in source.citation and "APPAM" in source.citation
    for phrase in ("more sustainable", "trigger improvement", "more meaningful", "give direction", "overdone"):
        assert phrase in source.says
    assert "UNVERIFIED" in source.notes
    assert "project brief" not in evidence.get("regimes_bovaird_smith_2x2").notes


def test_four_complexities_and_social_control_cite_the_2021_chapter():
    for key in ("complexity_four_types", "complexity_social_management_control"):
        source = evidence.get(key)
        assert "French, M., Lowe, T., Wilson, R., Rhodes, M.-L. & Hawkins, M. (2021)" in source.citation
        assert source.url == "https://doi.org/10.4337/9781789901207.00014"
    assert "technical to social management control" in evidence.get("complexity_social_management_control").says


def test_learning_partnerships_cite_hesselgreaves():
    source = evidence.get("learning_partnerships_hesselgreaves_2021")
    assert "Public Money & Management 41(8)" in source.citation
    assert glossary.get("learning partnership").source == "learning_partnerships_hesselgreaves_2021"


def test_the_2014_evaluation_is_cited_as_bovaird_and_loeffler():
    for key in ("surrey_evaluation_2014", "surrey_neet_fall_evaluation", "surrey_fte_fall_evaluation",
                "surrey_other_results_2014"):
        assert evidence.get(key).citation.startswith("Bovaird, T. & Loeffler, E. (2014)"), key


def test_work_programme_figures_are_corrected():
    source = evidence.get("gaming_work_programme_70pct")
    assert "3.3bn" not in source.says and "failing to help 70% of claimants" not in source.says
    assert "nearly 70% of participants" in source.says
    assert "not found" in source.notes


def test_2022_inspection_and_the_model_limit_are_shown():
    source = evidence.get("surrey_hmip_2022")
    assert "Good" in source.says and "justiceinspectorates.gov.uk" in source.url
    assert "does not represent" in source.notes


def test_national_first_time_entrant_fall_is_registered():
    national = evidence.get("surrey_context_fte_national")
    assert "67 per cent" in national.says and "110,826" in national.says
    derived = evidence.get("surrey_fte_relative_to_national")
    assert derived.status == "derived" and "36,677 / 110,826" in derived.arithmetic


def test_notebook_09_sources_are_registered():
    for key in ("coproduction_bovaird_2007", "coproduction_bovaird_loeffler_2012",
                "coproduction_loeffler_bovaird_2020", "cocreation_ferlie_2021", "cocreation_sorensen_2021"):
        assert evidence.get(key).status == "published"
    assert "Gentofte" in evidence.get("cocreation_sorensen_2021").says


def test_disagreeing_budget_figure_is_registered_both_ways():
    source = evidence.get("surrey_budget_bbc_2011")
    assert "£16.1m" in source.says and "£11.1m" in source.says
    for other in ("surrey_budget_baseline", "surrey_budget_ncvys_2010", "surrey_budget_libdem"):
        assert other in source.disagrees_with and "surrey_budget_bbc_2011" in evidence.get(other).disagrees_with


def test_seed_claims_have_entries_and_glossary_terms():
    for key in ("complexity_social_management_control", "learning_partnerships_hesselgreaves_2021",
                "cocreation_ferlie_2021", "cocreation_sorensen_2021", "attractor_design_principles",
                "resilience_bbl2017"):
        evidence.get(key)
    for term in ("social management control", "resilience", "public value", "co-creation", "action learning"):
        assert glossary.get(term).source, term


def test_old_keys_still_resolve():
    for key in ("surrey_neet_autumn_2013", "regimes_bovaird_smith_2x2", "gaming_work_programme_70pct",
                "complexity_four_types", "attractor_learning_partners_cpi", "surrey_neet_annual_average"):
        assert dk.evidence.get(key)


def test_the_model_meets_the_449_at_the_date_its_source_implies():
    """The source dates the 449 to about mid-2013; the surrey model is checked there too, not only in autumn."""
    model = dk.models.load("surrey")
    base = dk.simulate(model, model.scenario("as_it_happened"))
    assert "449" in evidence.get("surrey_neet_autumn_2013").says
    assert base.at(2013.5, "neet") == pytest.approx(449, rel=0.15)


def test_the_games_regime_leans_are_a_registered_assumption_cited_where_the_2x2_is_drawn(tmp_path):
    from dpmkit.game import debrief, records

    source = evidence.get(debrief.LEANS_SOURCE)
    assert source.status == "assumption"
    assert "regimes_bovaird_smith_2015" in source.notes and "not a measurement" in source.notes.lower()
    # every lean is one of the game's levers or a parameter its events set (one with none is neutral),
    # each weight within -1..1
    for name, spec in dk.game.GAMES.items():
        leans = debrief.REGIME_LEANS[name]
        assert leans and set(leans) <= set(spec.owner) | {p for e in spec.events for p in e.changes}, name
        assert all(-1 <= w <= 1 for lean in leans.values() for w in (lean.imposed, lean.planned))
    assert "one-sided" in source.says and "imposed targets" in source.says
    g = dk.game.new(tmp_path, "surrey", tables=["A"])
    g.assign("A", "council_leadership")
    g.decide("A", {"cut_fraction": 0.4})
    g.advance()
    cite = f"[assumption {debrief.LEANS_SOURCE}]"
    assert cite in debrief.regime_chart(g).description
    assert cite in records.debrief_html(g)


def test_an_evidence_table_shows_what_sources_say_as_text():
    """The lessons show ``dk.evidence.table([...])[["status", "says"]]``: as a pandas table each
    quotation was right-aligned (ragged on the left) and, unless the lesson widened pandas'
    columns, cut at 50 characters with "...". What a notebook displays (IPython's own
    formatter): every cell left-aligned and each quotation in full; the text form, each source's
    fields under its citation."""
    from IPython.core.formatters import DisplayFormatter

    keys = ["surrey_neet_2014", "hls_critique_buurtzorg_england"]
    shown, _ = DisplayFormatter().format(dk.evidence.table(keys)[["status", "says"]])
    page, text = shown["text/html"], shown["text/plain"]
    says = [dk.evidence.get(k).says for k in keys]
    assert all(len(s) > 50 and f">{html.escape(s)}</td>" in page for s in says)
    tags = re.findall(r"<t[dh]\b[^>]*>", page)
    assert len(tags) == 3 * 3 and all("text-align:left" in tag for tag in tags)
    heading, _, rest = text.partition("\n  status: published")
    assert heading.replace("\n", " ") == dk.evidence.get(keys[0]).citation and rest
    assert " ".join(text.split()).count(" ".join(says[1].split())) == 1


def test_an_evidence_table_heads_each_source_as_a_reader_cites_it():
    """Printed, or shown in a notebook printed to PDF, lesson 08's evidence table headed a source
    "key attractor_waaeh": a registry key, which is code. Each source is headed by its citation
    (the column "Source"), the citation is not shown twice when a lesson selects it, and the code
    track still finds a source by its key (the index; in JupyterLab it shows on hover)."""
    from IPython.core.formatters import DisplayFormatter

    keys = ["attractor_waaeh", "attractor_sdgs"]
    table = dk.evidence.table(keys)[["status", "says", "url"]]
    shown, _ = DisplayFormatter().format(table)
    page, text = shown["text/html"], shown["text/plain"]
    cited = [dk.evidence.get(k).citation for k in keys]
    assert "key" not in text and "attractor_waaeh" not in text
    assert text.startswith("Western Australian Alliance to End Homelessness, 'Our approach' and news pages (2018-2020)"
                           "\n  status: published")
    assert "\n\nSustaining Development, 'SDG targets and indicators'" in text
    headings = re.findall(r"<th\b[^>]*>([^<]*)</th>", page)
    assert headings == ["Source", "status", "says", "url", *(html.escape(c) for c in cited)]
    assert "title='key attractor_waaeh'" in page
    with_citation = dk.evidence.table(keys)[["status", "citation", "says"]]
    assert " ".join(with_citation.to_text().split()).count(" ".join(cited[1].split())) == 1
    assert re.findall(r"<th\b[^>]*>([^<]*)</th>", with_citation._repr_html_())[:3] == ["Source", "status", "says"]
    assert table.loc["attractor_sdgs", "status"] == "published" and list(table.index) == keys


def test_an_evidence_table_reads_cross_references_as_citations_not_keys():
    """Lessons 06-09 show evidence tables with notes such as "the axes are Bovaird & Smith's
    (regimes_bovaird_smith_2015)" or "in the pm_regimes and targets_vs_learning models": registry
    keys and model code where a learner reads. What a table shows names another source by its short
    citation, a ready-made model by its label and a parameter by its label; the entries keep the
    keys (the registry's cross-references) for a program."""
    import re

    shown = evidence.table()
    keys = {s.key for s in evidence.all_sources() if "_" in s.key}
    code = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
    for key, row in shown.iterrows():
        for column in ("says", "arithmetic", "notes", "disagrees_with"):
            assert not code.findall(row[column]), (key, column, code.findall(row[column]))
    leans = shown.loc["regimes_game_lever_leans", "notes"]
    assert "Bovaird & Smith's (Bovaird, T. & Smith, S. R. (2015))" in leans
    assert "regimes_bovaird_smith_2015" in evidence.get("regimes_game_lever_leans").notes  # the data keeps it
    gap = shown.loc["gaming_ae_gap", "notes"]
    assert dk.models.load("pm_regimes").label in gap and "See Bevan, G. & Hood, C. (2006) for why" in gap
    assert "matched hours per funded hour defaults" in shown.loc["surrey_youth_work_hours", "notes"]
    assert all(set(s.disagrees_with) <= keys for s in evidence.all_sources())
    disagreeing = [s for s in evidence.all_sources() if s.disagrees_with]
    assert disagreeing, "some entry records a disagreement"
    for s in disagreeing:
        assert shown.loc[s.key, "disagrees_with"] == "; ".join(evidence.short_citation(k) for k in s.disagrees_with)
