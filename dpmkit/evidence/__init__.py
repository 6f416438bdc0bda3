"""The evidence registry: where every real-world number in the kit comes from.

Each entry is a :class:`Source` with a citation, a URL, what it says, and a status:

- ``published``: stated in the cited source;
- ``derived``: computed from published figures (the arithmetic is recorded);
- ``assumption``: a teaching range chosen for the kit, not evidence.

Entries live in the submodules of this package (one per topic, each defining a tuple
``SOURCES``) and are gathered here. A model parameter names its entry in
``Param(source=key)``; a teaching assumption without an entry says
``source="assumption"``. Where sources disagree, each gets its own entry and names the
others in ``disagrees_with``.

>>> import dpmkit as dk
>>> dk.evidence.get("assumption").status
'assumption'
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from ..errors import ModelError
from ..expressions import suggest

__all__ = ["Source", "STATUSES", "ASSUMPTION", "get", "all_sources", "table", "cite", "short_citation", "status_of",
           "STABLE_HOSTS", "NO_STABLE_LINK", "NO_QUOTE", "quoted_passages", "link_problem", "quote_problem",
           "problems"]

STATUSES = ("published", "derived", "assumption")
#: The key a Param uses for a teaching assumption that has no registry entry of its own.
ASSUMPTION = "assumption"


@dataclass(frozen=True)
class Source:
    """One piece of evidence (or a declared assumption).

    Parameters
    ----------
    key : str
        Short stable identifier, e.g. ``"surrey_neet_2009"``.
    citation : str
        Author(s), year, title, publisher or journal.
    status : {"published", "derived", "assumption"}
    says : str
        What the source says that the kit relies on (the figure, with its definition).
    url : str
    arithmetic : str
        For ``derived`` entries: how the number was computed from which entries.
    notes : str
        Caveats: definitions, dates, measurement changes.
    disagrees_with : tuple of str
        Keys of entries that report something different.
    """

    key: str
    citation: str
    status: str
    says: str = ""
    url: str = ""
    arithmetic: str = ""
    notes: str = ""
    disagrees_with: tuple = field(default=())

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ModelError(f"evidence {self.key!r}: status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        if self.status == "derived" and not self.arithmetic:
            raise ModelError(f"evidence {self.key!r} is derived, so it must show its arithmetic")
        if not self.citation:
            raise ModelError(f"evidence {self.key!r} needs a citation")


_BUILTIN = (
    Source(
        key=ASSUMPTION,
        citation="dpmkit teaching assumption",
        status="assumption",
        says="A value or range chosen to make the model teach clearly; not evidence about any real service.",
    ),
)

_registry = None


def _load():
    global _registry
    if _registry is None:
        found = {s.key: s for s in _BUILTIN}
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f".{info.name}", __name__)
            for source in getattr(module, "SOURCES", ()):
                if source.key in found:
                    raise ModelError(f"evidence key {source.key!r} is defined twice (again in {info.name})")
                found[source.key] = source
        for source in found.values():
            for other in source.disagrees_with:
                if other not in found:
                    raise ModelError(f"evidence {source.key!r} disagrees_with unknown key {other!r}")
        _registry = found
    return _registry


def get(key):
    """The :class:`Source` registered under ``key``."""
    reg = _load()
    if key not in reg:
        raise ModelError(f"no evidence registered under {key!r}" + suggest(str(key), reg))
    return reg[key]


def all_sources():
    """Every registered source, sorted by key."""
    reg = _load()
    return tuple(reg[k] for k in sorted(reg))


def status_of(key):
    """``"published"``, ``"derived"`` or ``"assumption"`` for a registry key."""
    return get(key).status


def cite(key):
    """A short citation with its status, for tables and notebooks."""
    s = get(key)
    return f"{s.citation} [{s.status}]"


def table(keys=None):
    """Sources as a DataFrame indexed by key: all of them, or those in ``keys``.

    Notebooks use it to show a figure next to its source and status, e.g.
    ``dk.evidence.table(["surrey_neet_2009", "surrey_neet_2014"])[["status", "says"]]``.
    Its cells are sentences, so the table (a DataFrame, and so is any selection of its columns)
    reads as text: JupyterLab shows it left-aligned with every cell in full, and ``print``
    shows each source's fields under its citation. The index is the key (``.loc[key]``), but
    what a reader sees heads each source as they would cite it, by its citation (the key
    shows on hover in JupyterLab), since a registry key is code.

    >>> print(table(["surrey_neet_2009"])[["status"]])
    Surrey Conservatives, news page (undated)
      status: published
    """
    import pandas as pd

    from .._text_table import TextTable

    chosen = all_sources() if keys is None else [get(k) for k in keys]
    said = _in_words()
    rows = [{"key": s.key, "status": s.status, "citation": s.citation, "says": said(s.says), "url": s.url,
             "arithmetic": said(s.arithmetic), "notes": said(s.notes),
             "disagrees_with": "; ".join(short_citation(k) for k in s.disagrees_with)}
            for s in chosen]
    shown = TextTable(pd.DataFrame(rows).set_index("key"))
    shown.attrs.update(row_headings={s.key: s.citation for s in chosen}, row_title="Source",
                       heading_column="citation")
    return shown


def short_citation(key):
    """A source as a sentence refers to it: its citation up to the first bracket with a year in it
    (``Bevan, G. & Hood, C. (2006)``), else the whole citation, cut at a word if it is long.

    >>> short_citation("regimes_bovaird_smith_2015")
    'Bovaird, T. & Smith, S. R. (2015)'
    >>> short_citation("surrey_budget_baseline")
    'dpmkit, derived from the Governance International case study'
    """
    text = get(key).citation
    dated = re.search(r"\([^()]*\b(?:1[89]|20)\d\d\b[^()]*\)", text)
    if dated and dated.end() <= _SHORT:
        return text[:dated.end()]
    return text if len(text) <= _SHORT else text[:_SHORT].rsplit(" ", 1)[0].rstrip(",;:") + "…"


_SHORT = 90  # characters: longer, and a reference in a sentence stops reading as one


@functools.cache  # the registry and the ready-made models do not change while the kit runs
def _in_words():
    """A function that turns the code in an entry's text into what a reader knows: another entry's
    registry key into its short citation, a ready-made model's name into its label and one of its
    parameters' names into the parameter's label (``pm_regimes`` -> "Performance-management
    regimes", ``matching_ratio`` -> "matched hours per funded hour"). The entries keep the keys and
    names (the registry's cross-references, checked by the tests); only what a table shows changes."""
    from .. import models
    from ..words import lower_first

    said = {k: short_citation(k) for k in _load() if "_" in k}  # "assumption" is also a word
    for name in models.available():
        model = models.load(name)
        if "_" in name:  # "surrey" and "demo" are words too
            said.setdefault(name, model.label)
        for p in model.params:
            if "_" in p.name:
                said.setdefault(p.name, lower_first(p.label))
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, said), key=len, reverse=True)) + r")\b")
    return lambda text: pattern.sub(lambda m: said[m.group(1)], text or "")


# Rules for published entries ------------------------------------------------------------
#
# A published entry must carry (1) a *stable link*: a DOI (``https://doi.org/...``) or a page
# on the publisher's, the author institution's or the official body's own site, never an
# unofficial copy (document-sharing and mirror sites); and (2) the source's *exact words*:
# its ``says`` field quotes at least one passage of two or more words, in quotation marks
# ('...', "...", ‘...’ or “...”). Entries that cannot meet a rule yet are listed below with
# the reason, so each exception is visible and deliberate. ``tests/test_evidence.py``
# enforces the rules.

#: Hosts whose pages count as stable links (a DOI resolver, publishers, official bodies,
#: university repositories, news organisations and the organisations' own sites).
STABLE_HOSTS = frozenset({
    # DOI resolver and publishers
    "doi.org", "bristoluniversitypressdigital.com", "nowpublishers.com", "growkudos.com",
    # university and institutional repositories
    "pureportal.strath.ac.uk", "researchportal.northumbria.ac.uk", "nrl.northumbria.ac.uk",
    "pmc.ncbi.nlm.nih.gov", "systemdynamics.org", "sfu.ca",
    # official bodies
    "gov.uk", "justiceinspectorates.gov.uk", "parliament.scot", "surreycc.gov.uk", "surrey-pcc.gov.uk",
    "c4eo.org.uk", "esd.org.uk", "mkinsight.org", "sussexcriminaljusticeboard.org.uk",
    "highsheriffofsurrey.com",
    # organisations' own sites (authors of the work cited)
    "govint.org", "centreforpublicimpact.org", "cecan.ac.uk", "endhomelessnesswa.com", "iirp.edu",
    "sustainingdevelopment.com", "learningplusuk.org", "markfoden.com", "ncvyspolicy.wordpress.com",
    # news organisations
    "bbc.com", "bbci.co.uk", "theguardian.com", "cypnow.co.uk", "civilserviceworld.com", "civilsociety.co.uk",
    "redhillandreigatelife.co.uk", "sharecast.com",
    # party-political sites (published, flagged as political in each entry's notes)
    "surreyconservatives.org.uk", "epsomewelllibdems.uk", "surreylibdems.org.uk",
})

#: Published entries allowed without a stable link, with the reason.
NO_STABLE_LINK = {
    "regimes_bovaird_smith_2015": "APPAM conference paper: the abstract was not retrieved in this kit's research, "
                                  "so no link has been confirmed.",
    "regimes_spending_review_2010": "A conference paper with no DOI or publisher page found; the previous link "
                                    "was to an unofficial copy and has been removed.",
    "hls_learning_cycles": "A practice guide with no DOI or publisher page found; the only copy found is "
                           "on a document-sharing site.",
    "objectives_bovaird_loeffler_2003": "The journal DOI was not confirmed; the only copy found is on a "
                                        "document-sharing site.",
    "surrey_neet_share_2014_15": "A council performance summary with no council page found; the only copy "
                                 "found is on a document-sharing site.",
    "surrey_context_informal_resolutions": "A local briefing with no official page found; the only copy found "
                                           "is on a document-sharing site.",
    "coproduction_loeffler_bovaird_2020": "Book chapter: no publisher page or DOI confirmed; the only copy "
                                          "found is a text-mining mirror.",
}

#: Published entries whose ``says`` paraphrases because the exact words were not retrieved.
NO_QUOTE = {
    "regimes_bovaird_smith_2015": "Abstract not retrieved in this kit's research; wording follows the issue "
                                  "that reported it.",
    "resilience_bbl2017": "Paraphrase of the authors' Kudos summary as recorded in the research notes.",
    "coproduction_loeffler_bovaird_2020": "Paraphrase from the research notes; exact words not retrieved.",
    "surrey_neet_share_2014_15": "A table of figures: the numbers are the source's words.",
    "surrey_youth_work_hours": "Paraphrase of the article's figures (35 centres, 15 + 15 hours a week).",
    "surrey_consultation_2010": "Paraphrase of the article's figures (8,000 young people, 12 months, 6 months).",
    "surrey_skills_centres_2013": "Paraphrase of the news release's figures (10 centres, 5 in 2012).",
    "surrey_recommissioning_2015": "Paraphrase of the Cabinet item's figures (nine commissions, 2015-2020).",
    "surrey_youth_justice_reinvestment": "Paraphrase of the figures (about £2m; half of previous spend).",
    "surrey_context_informal_resolutions": "A figure quoted second-hand (0.5% to 12%).",
    "surrey_context_neet_la_range_2012": "A table of figures: the numbers are the source's words.",
    "surrey_yri_reoffending": "A single figure (18%) from the council's page.",
    "surrey_hmip_2019_bbc": "Figures from the report as summarised by the BBC (40%, 16 weeks, more than half).",
    "surrey_neet_definitions": "Paraphrase of the statistical notes accompanying the releases.",
    "hls_pmm_2021": "A single figure (more than 300 organisations) from the abstract.",
    "hls_principles": "Paraphrase of the three principles as the CPI pages set them out.",
    "hls_critique_collaborative_newcastle": "Paraphrase of the chapter's list of barriers.",
    "hls_critique_buurtzorg_england": "Paraphrase of the evaluation's conclusions.",
    "hls_learning_cycles": "Paraphrase of the guide's vocabulary.",
    "attractor_npf_scotland": "Counts and dates from the article.",
    "attractor_waaeh": "Paraphrase of the Alliance's stated strategy and targets.",
    "complexity_rittel_webber_1973": "Paraphrase of the ten properties from a published list.",
    "complexity_four_types_summary": "Paraphrase of the summary page's four lenses.",
    "complexity_munro_compliance": "Paraphrase of the conference abstract.",
    "gaming_hood_2006_targets_regime": "Paraphrase of the article's argument; exact words not retrieved.",
    "objectives_bovaird_loeffler_2003": "Paraphrase; exact words not retrieved.",
    "regimes_oliva_sterman_2001": "Paraphrase of the abstract.",
    "regimes_repenning_sterman_2001": "Paraphrase of the article's argument.",
    "regimes_mintzberg_waters_1985": "Paraphrase of the abstract's first sentence.",
    "hls_stewardship_davis_1997": "Paraphrase of the article's contrast of the two theories.",
    "hls_npm_premise": "Paraphrase of the blog's summary.",
    "cocreation_ferlie_2021": "Only single words and short phrases were retrieved; see the quoted ones.",
    "attractor_surrey_local_committees": "Figures from the news release (11 committees, up to £200,000 a year).",
    "gaming_ae_reported_vs_survey": "Figures from the article (139 of 158 trusts; 90%, 69%, 96%, 77%).",
    "surrey_neet_annual_average_esd": "The research notes' record of the metric definition, not its exact words.",
    "surrey_young_offenders_pcc": "Figures from the PCC's page as recorded in the research notes (93%, halved, "
                                  "more than 1,000 a year).",
    "surrey_bbl2017_evaluation": "Paraphrase of the authors' Kudos summary as recorded in the research notes.",
    "surrey_coproduction_channels": "A list compiled from three sources, each cited.",
    "surrey_youth_centres_2012": "Figures from the news release (12 charities, 31 centres, £1.8m, £200,000).",
}

#: An opening quotation mark not preceded by a letter, the shortest passage, and a closing mark not
#: followed by a letter (so the apostrophes in "Surrey's" or "Majesty\u2019s" neither open nor close).
_QUOTE = re.compile("(?<![\\w])['\"\u2018\u201c](?P<q>.+?)['\"\u2019\u201d](?![\\w])")


def quoted_passages(text):
    """Passages of two or more words in quotation marks in ``text``."""
    return [m.group("q").strip() for m in _QUOTE.finditer(text) if len(m.group("q").split()) >= 2]


def _host(url):
    host = (urlparse(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def link_problem(source):
    """Why a published ``source`` lacks a stable link, or ``None`` if it has one (or is excused)."""
    if source.status != "published" or source.key in NO_STABLE_LINK:
        return None
    if not source.url:
        return f"{source.key}: published evidence needs a stable link (a DOI or the publisher's or official page)"
    host = _host(source.url)
    if not urlparse(source.url).scheme.startswith("http") or not host:
        return f"{source.key}: {source.url!r} is not a web address"
    if any(host == h or host.endswith("." + h) for h in STABLE_HOSTS):
        return None
    return (f"{source.key}: {host} is not a listed stable host (a DOI, publisher, official or author's site); "
            "link the DOI or the official page, or add the host to STABLE_HOSTS with a reason")


def quote_problem(source):
    """Why a published ``source`` does not quote its source, or ``None`` if it does (or is excused)."""
    if source.status != "published" or source.key in NO_QUOTE:
        return None
    if quoted_passages(source.says):
        return None
    return (f"{source.key}: published evidence must quote the source's exact words in its says field "
            "(a passage of two or more words in quotation marks), or be listed in NO_QUOTE with a reason")


def problems(sources=None):
    """Every broken rule among ``sources`` (default: the whole registry), as messages."""
    chosen = all_sources() if sources is None else sources
    found = []
    for s in chosen:
        found += [p for p in (link_problem(s), quote_problem(s)) if p]
    return found
