"""Handouts are current and printable; the glossary is sound; session plans name the notebooks
consistently. (Plan timetables, games, levers, sections and links: tests/test_session_plans.py.)"""

from __future__ import annotations

import importlib.util
import re
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from defusedxml import ElementTree

import dpmkit as dk
from dpmkit import glossary

ROOT = Path(__file__).resolve().parents[1]
WORKSHOPS = ROOT / "workshops"
HANDOUTS = WORKSHOPS / "handouts"
PLANS = WORKSHOPS / "session-plans"

#: The notebook sequence, as fixed by the issue that defines it ("The notebook sequence").
NOTEBOOKS = (
    "00_start_here", "01_wicked_issues", "02_stocks_flows_feedback", "03_dynamic_performance_management",
    "04_surrey_case", "05_three_objectives", "06_imposed_negotiated_planned_emergent",
    "07_targets_gaming_learning", "08_human_learning_systems", "09_learning_partnerships_and_cocreation",
    "10_build_your_own",
)
EXPECTED_PLANS = {"taster-90min.md", "half-day.md", "full-day-learning-partnership.md",
                  "university-seminar-2h.md", "four-week-module.md"}
SVG = "{http://www.w3.org/2000/svg}"


def _builder():
    spec = importlib.util.spec_from_file_location("build_handouts", ROOT / "tools" / "build_handouts.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built():
    return _builder().build()


# ------------------------------------------------------------------ handouts
def test_generated_handouts_are_current(built):
    stale = [name for name, text in built.items()
             if not (HANDOUTS / name).exists() or (HANDOUTS / name).read_text(encoding="utf-8") != text]
    assert not stale, f"run `make handouts`: these differ from what tools/build_handouts.py makes: {stale}"
    extra = sorted(p.name for p in HANDOUTS.iterdir() if p.name not in built)
    assert not extra, f"files in workshops/handouts/ that the build does not make: {extra}"


def test_check_mode_reports_stale_files(tmp_path, capsys):
    builder = _builder()
    assert builder.main(["--check", "--out", str(tmp_path)]) == 1
    assert builder.main(["--out", str(tmp_path)]) == 0
    assert builder.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "glossary.md").write_text("edited by hand", encoding="utf-8")
    assert builder.main(["--check", "--out", str(tmp_path)]) == 1
    assert "glossary.md" in capsys.readouterr().out


def test_the_required_handouts_exist(built):
    for name in ("dpm-chart-canvas", "two-by-two-canvas", "predict-then-run", "predict-then-run-surrey",
                 "glossary", "how-to-open-the-kit", "role-cards", "ballot-slip", "debrief-card"):
        assert f"{name}.md" in built and f"{name}.html" in built, name


def test_svg_figures_are_valid_and_described(built):
    svgs = {name: text for name, text in built.items() if name.endswith(".svg")}
    assert len(svgs) >= 4
    for name, text in svgs.items():
        root = ElementTree.fromstring(text)  # hardened parser: no entities, no external references
        assert root.tag == f"{SVG}svg", name
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text.strip(), f"{name}: no <title>"
        assert desc is not None and len(desc.text) > 60, f"{name}: the <desc> must describe the figure"
        assert root.get("role") == "img"
        assert "http" not in text.replace("http://www.w3.org/2000/svg", ""), f"{name} refers to the web"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.labelled, self.links, self.svgs = [], set(), [], [], 0
        self.void = {"meta", "br", "img", "path", "line", "rect", "circle", "link"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            assert attrs["id"] not in self.ids, f"duplicate id {attrs['id']}"
            self.ids.add(attrs["id"])
        if tag == "svg":
            self.svgs += 1
            self.labelled.append(attrs.get("aria-labelledby", ""))
        if tag == "a":
            self.links.append(attrs.get("href", ""))
        if tag not in self.void:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.void:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in self.void:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()


def _printed_pages(html_files):
    """{name: A4 sheets} as Chromium's print to PDF lays out each page (its own @page size)."""
    from browser.lab_session import CHROMIUM, CHROMIUM_ARGS
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to print the handouts")
    sync_api = pytest.importorskip("playwright.sync_api")
    counts = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for name, text in html_files.items():
                page.set_content(text)
                pdf = page.pdf(prefer_css_page_size=True)
                counts[name] = len(re.findall(rb"/Type\s*/Page\b", pdf))
        finally:
            browser.close()
    return counts


def test_handouts_print_on_the_pages_the_plans_promise(built):
    """The how-to-join handout is "one page, one per person" (setup.md, the session plans): printed from
    Chromium on A4 it is one sheet (it was two). Every handout that states its pages is held to them."""
    claims = {f"{h.name}.html": h.pages for h in _builder().handouts() if h.pages}
    assert claims.get("how-to-open-the-kit.html") == 1
    setup = (WORKSHOPS / "setup.md").read_text(encoding="utf-8")
    assert "one-page [how to join the room" in setup
    printed = _printed_pages({name: built[name] for name in claims})
    assert printed == claims, f"printed on A4 (sheets) {printed}, promised {claims}"


#: A sheet's size in PDF points (1/72 inch), landscape: what Chromium writes as each page's MediaBox.
LANDSCAPE_POINTS = {"A4": (842, 595), "A3": (1191, 842)}


def _printed_canvas(page, text, paper):
    """Print ``text`` on ``paper`` (landscape) as a browser's print dialog does when that paper is chosen:
    the page's own @page size wins when it names one. Returns (sheets, sheet size in points, printed height of
    the canvas's figure in CSS px). The figure's height is read from the PDF's drawing: the figure is given a
    background of a colour found nowhere else, and the rectangle filled in that colour is its printed box."""
    marked = text.replace("</head>", "<style>figure svg { background: #010203; }</style></head>", 1)
    page.set_content(marked)
    pdf = page.pdf(format=paper, landscape=True, prefer_css_page_size=True, print_background=True)
    sheets = len(re.findall(rb"/Type\s*/Page\b", pdf))
    width, height = (float(v) for v in re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups())
    boxes = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            drawing = zlib.decompress(stream)
        except zlib.error:  # a font or an image, not a page's drawing
            continue
        boxes += re.findall(rb"\.0039\d* \.0078\d* \.0118\d* rg\s.{0,40}?\s0 0 ([\d.]+) ([\d.]+) re", drawing, re.S)
    assert len(boxes) == 1, f"the canvas's figure was not found once in the printed PDF ({len(boxes)} found)"
    return sheets, (width, height), float(boxes[0][1])


def test_canvases_print_on_the_paper_chosen_a4_or_a3(built):
    """The handouts say "choose A4, or A3 for the canvases". A canvas named A4 as its page size, which
    overrides the paper chosen when printing: asked for A3, Chromium made an A4 PDF. Each canvas now prints
    on the sheet chosen, on the sheets its plan promises, and its figure grows with the sheet (on A3 it kept
    A4's 165 mm and left a third of the sheet empty)."""
    from browser.lab_session import CHROMIUM, CHROMIUM_ARGS
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to print the handouts")
    sync_api = pytest.importorskip("playwright.sync_api")
    canvases = [h for h in _builder().handouts() if h.landscape]
    assert {h.name for h in canvases} == {"dpm-chart-canvas", "two-by-two-canvas"}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for h in canvases:
                printed = {paper: _printed_canvas(page, built[f"{h.name}.html"], paper) for paper in LANDSCAPE_POINTS}
                for paper, (sheets, size, _) in printed.items():
                    want = LANDSCAPE_POINTS[paper]  # Chromium rounds a sheet to whole device pixels: within 2 points
                    assert all(abs(a - b) <= 2 for a, b in zip(size, want)), \
                        f"{h.name} asked for {paper} printed on {size} points"
                    assert sheets == h.pages, f"{h.name} on {paper}: {sheets} sheets, promised {h.pages}"
                a4, a3 = printed["A4"][2], printed["A3"][2]
                # A3's printable height is 273 mm against A4's 186 mm; the title above the figure stays the same
                assert a3 > 1.45 * a4, f"{h.name}: figure {a4:.0f} px high on A4 and only {a3:.0f} px on A3"
        finally:
            browser.close()


def test_html_pages_are_well_formed_printable_and_offline(built):
    for name, text in built.items():
        if not name.endswith(".html"):
            continue
        page = _Page()
        page.feed(text)
        page.close()
        assert page.stack == [], f"{name}: unclosed {page.stack}"
        assert re.search(r"@page \{ size: (A4|landscape);", text), f"{name}: no print size"
        for labels in page.labelled:
            assert labels and all(part in page.ids for part in labels.split()), f"{name}: figure without a label"
        assert "<script" not in text and "src=\"http" not in text, f"{name} must work offline"
        for href in page.links:
            assert href.startswith(("#", "http")) or href in built, f"{name}: broken link {href}"


def test_markdown_handouts_link_only_generated_files(built):
    for name, text in built.items():
        if not name.endswith(".md"):
            continue
        for target in re.findall(r"\]\(([^)#\s]+)\)", text):
            assert target.startswith("http") or target in built, f"{name}: broken link {target}"


def test_role_cards_follow_the_games(built):
    cards = built["role-cards.md"]
    for name, spec in dk.game.GAMES.items():
        model = spec.build_model()
        assert spec.label in cards, name
        for role in spec.roles:
            assert f"role: `{role.name}`" in cards and role.goals in cards, (name, role.name)
            for lever in role.levers:
                low, high = model.param(lever).bounds
                shown = re.search(rf"\*\*{re.escape(model[lever].label)}\*\* \(`{lever}`, ([\d.]+) to ([\d.]+)", cards)
                assert shown, f"the card for {role.name} does not show {lever} with its range"
                assert (float(shown[1]), float(shown[2])) == (low, high), (lever, shown.groups(), (low, high))
    # every lever on a card is a lever of a game (no lever that changes nothing, as before)
    levers = set(re.findall(r"\(`([a-z][a-z0-9_]*)`, [\d.]+ to ", cards))
    assert levers == {lever for spec in dk.game.GAMES.values() for lever in spec.owner}
    assert cards.count("**Decision slip**") == sum(len(spec.roles) for spec in dk.game.GAMES.values())
    # each lever says when it first shows; the late ones are the ones the games guide warns about
    shows = dict(re.findall(r"\(`([a-z][a-z0-9_]*)`, [^)]*; shows from round (\d)\)", cards))
    assert set(shows) == levers
    assert (shows["matching_ratio"], shows["post2015_cut"], shows["decommissioning_years"]) == ("4", "5", "1")


def test_the_participant_handout_puts_the_room_first_for_windows_and_macos(built):
    page = built["how-to-open-the-kit.md"]
    first = page.index("## ")
    assert "room" in page[first:first + 80].lower(), "the first route is joining the room"
    for needed in ("Windows", "macOS", "QR code", "room code", "does not load", "paper", "hotspot", "8866"):
        assert needed in page, needed
    assert page.index("room") < page.index("make lab"), "installing the kit comes after the room"
    # the course hub's route (workshops/room.md, "Beyond one room"): the room's pages under the hub's address
    assert "https://hub.example.ac.uk/services/dpmkit-room/?code=TEAL" in page and "no login" in page


# ------------------------------------------------------------------ glossary
def test_glossary_terms_are_unique_sourced_and_cross_referenced():
    keys = [t.key for t in glossary.TERMS]
    assert len(keys) == len(set(keys)), "a term is defined twice"
    for t in glossary.TERMS:
        assert t.group in glossary.GROUPS, t.term
        assert t.definition.endswith((".", ".)", "?\"", "?")), f"{t.term}: end the definition with a full stop"
        assert 20 < len(t.definition) < 600, t.term
        if t.source is not None:
            dk.evidence.get(t.source)  # raises for an unknown key
        for other in t.see_also:
            assert glossary.get(other) is not t, f"{t.term} refers to itself"
    assert len(glossary.terms()) == len(glossary.TERMS)
    assert sum(1 for t in glossary.TERMS if t.source) >= 25, "definitions from the literature cite their source"


def test_glossary_lookup_forgives_case_and_plurals_and_suggests():
    assert glossary.get("STOCKS").term == "Stock"
    assert glossary.get("feedback loops").term == "Feedback loop"
    assert glossary.get("co production").term == "Co-production"
    with pytest.raises(dk.ModelError, match="did you mean 'stock'"):
        glossary.get("stokc")
    with pytest.raises(dk.ModelError, match="no glossary group"):
        glossary.terms("Recipes")


def test_glossary_handout_and_notebook_helpers_show_every_term(built):
    handout = built["glossary.md"]
    for t in glossary.TERMS:
        assert f"**{t.term}**" in handout, t.term
    text = glossary.markdown(["stock", "three objectives"])
    assert text.startswith("- **Stock**: Something that accumulates")
    assert "[published]" in text, "a cited definition shows its evidence status"
    frame = glossary.table()
    assert list(frame.columns) == ["term", "group", "definition", "source", "see_also"]
    assert len(frame) == len(glossary.TERMS)


# ------------------------------------------------------------------ session plans
def test_notebooks_that_exist_use_the_sequence_names():
    for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        assert path.stem in NOTEBOOKS, f"{path.name} is not a name in the notebook sequence"


def _timetables(text):
    """Each timetable as a list of (start, minutes, materials) rows."""
    tables, current = [], None
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells and cells[:2] == ["Time", "Min"]:
            current = []
            tables.append(current)
        elif cells and current is not None and re.fullmatch(r"\d{1,2}:\d\d", cells[0]):
            current.append((cells[0], int(cells[1]), cells[3] if len(cells) > 3 else ""))
        elif not line.startswith("|"):
            current = None
    return tables


@pytest.mark.parametrize("plan", sorted(EXPECTED_PLANS))
def test_plans_link_every_notebook_they_use(plan):
    text = (PLANS / plan).read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(\.\./\.\./notebooks/(\d\d_[a-z_]+)\.ipynb\)", text))
    mentioned = set(re.findall(r"(?<![\w/])(\d\d_[a-z_]+[a-z])(?![\w.])", text))
    for name in mentioned | linked:
        assert name in NOTEBOOKS, f"{plan} names {name}, which is not in the notebook sequence"
    assert mentioned <= linked, f"{plan} uses notebooks it does not link: {sorted(mentioned - linked)}"
    for rows in _timetables(text):
        used = {n for _, _, materials in rows for n in re.findall(r"\d\d_[a-z_]+[a-z]", materials)}
        assert used <= linked, f"{plan}: the timetable uses {sorted(used - linked)} without linking it"


def test_the_guide_covers_what_a_new_facilitator_needs():
    guide = (WORKSHOPS / "README.md").read_text(encoding="utf-8")
    for heading in ("What the kit is for", "Prepare", "Room set-up", "Running the notebooks in facilitator view",
                    "Timing tips", "Common confusions and how to answer them", "Running a debrief",
                    "Frequently argued decisions"):
        assert re.search(rf"^## {re.escape(heading)}", guide, re.M), heading
    assert "python -m dpmkit.preflight" in guide and "make preflight" in guide
    setup = (WORKSHOPS / "setup.md").read_text(encoding="utf-8")
    # the room is the first route; the wheelhouse is for the facilitator laptop only
    routes = re.findall(r"^## ([A-D])\. (.*)$", setup, re.M)
    assert routes[0] == ("A", "The room (first choice)"), routes
    assert setup.index("make room") < setup.index("make wheelhouse") < setup.index("## C. Participants")
    assert "the one facilitator laptop only" in setup and "room.md" in setup
    assert "handouts/how-to-open-the-kit.html" in setup
    for needed in ("make lab", "make test", "environment.yml", "Binder", "make wheelhouse",
                   "make offline-install WHEELHOUSE=", "--no-index", "The Littlest JupyterHub", "chmod 3770",
                   "setgid"):
        assert needed in setup, needed
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("preflight:", "wheelhouse:", "offline-install:", "handouts:"):
        assert re.search(rf"^{target}", makefile, re.M), target


def test_a_ballot_slip_typed_in_as_the_handout_says_counts_as_a_ballot(built, tmp_path):
    slips = built["ballot-slip.md"]
    assert slips.count("### Ballot slip") == 3
    assert 'dk.workshop.submit("room", model="surrey", table="Red", round="1",' in slips
    dk.workshop.submit(tmp_path, model="surrey", table="Red", round="1", params={"decommissioning_years": 2},
                       predictions={"neet": {2014.25: 500}}, hypothesis="...", decision="...")
    found = dk.workshop.collect(tmp_path)
    assert len(found.ballots) == 1 and not found.rejected
    ballot = found.ballots[0]
    assert (ballot.table, ballot.round, ballot.params) == ("Red", "1", {"decommissioning_years": 2.0})


@pytest.mark.parametrize(("plan", "games"), [("taster-90min.md", ["surrey"]),
                                             ("full-day-learning-partnership.md", ["surrey", "attractor"])])
def test_plans_name_the_sheets_of_their_games_role_cards(plan, games):
    """The role cards hold every game's cards, one to a sheet (19 sheets); a plan says which sheets
    to print, and they are its games' cards (the print test holds the file to its sheets)."""
    h = next(h for h in _builder().handouts() if h.name == "role-cards")
    first, sheets = 2, {}  # sheet 1 is the introduction
    for name, spec in dk.game.GAMES.items():
        sheets[name] = (first, first + len(spec.roles) - 1)
        first += len(spec.roles)
    assert first - 1 == h.pages
    text = " ".join((PLANS / plan).read_text(encoding="utf-8").split())
    for name in games:
        a, b = sheets[name]
        assert f"sheets {a} to {b}" in text, f"{plan} should name sheets {a} to {b} for the {name} cards"


def test_the_canvases_cite_the_registry_for_what_they_say_with_its_status():
    """A printed figure has no hover: the 2x2 canvas's real-world example (star ratings from 2001)
    and its axes and cell names name their evidence keys with the registry's status."""
    cited = {}
    for svg in HANDOUTS.glob("*.svg"):
        text = re.sub(r"\s+", " ", svg.read_text(encoding="utf-8"))
        for key, status in re.findall(r"\(([a-z][a-z0-9]*(?:_[a-z0-9]+)+), (?:an )?(published|derived|assumption)\)",
                                      text):
            assert dk.evidence.get(key).status == status, (svg.name, key, status)
            cited.setdefault(svg.name, set()).add(key)
    assert cited.get("two-by-two-canvas.svg", set()) >= {"regimes_bovaird_smith_2015", "regimes_bovaird_smith_2x2",
                                                        "gaming_hood_2006_targets_regime"}
    assert "star ratings from 2001" in dk.evidence.get("gaming_hood_2006_targets_regime").says  # what it cites for
