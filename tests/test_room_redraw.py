"""A slider release redraws the room's chart with the new data only (dpmkit.room.frontend,
DATA_ONLY_REDRAW_JS): in a real browser, the same releases on two participant pages, one
redrawing with the data only and one drawing anew each time (``window.__dpmkitFullRedraw``),
show the same chart, pixel for pixel; the data-only page keeps its drawing (the same SVG
element), the other replaces it."""

from __future__ import annotations

import io
import sys

import pytest
from browser.lab_session import WATCH_JS, drag_first_slider, missing_requirements
from browser_helpers import offline_browsers, wait_for
from room_session import missing_room_requirements, room

REASON = missing_requirements() or missing_room_requirements()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"ROOM BROWSER TEST SKIPPED: {REASON}")

CHART = ".dpmkit-chart g.mark-line path"
# The drawing's elements, each as its markup without children, sorted: Vega may put a redrawn
# axis's ticks in another order in the document than a new drawing does; what is drawn is the same.
ELEMENTS_JS = """() => [...document.querySelectorAll('.dpmkit-chart svg, .dpmkit-chart svg *')]
    .map(e => e.tagName + ' ' + [...e.attributes].map(a => a.name + '=' + a.value).sort().join(' ')
              + ' ' + (e.childElementCount ? '' : e.textContent)).sort()"""


def _pixels(png):
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGBA").tobytes()


def test_a_release_redraws_with_the_data_only_and_shows_what_a_new_drawing_shows(tmp_path):
    with room(tmp_path / "ballots", "--code", "DRAW2") as running, \
            offline_browsers("room_redraw", running) as browsers:
        pages = {}
        for mode in ("data", "anew"):
            pages[mode] = browsers.open(mode, init_script="window.__dpmkitFullRedraw = true" if mode == "anew"
                                        else None, timeout=90_000)
            pages[mode].goto(running.participants)
        for page in pages.values():
            page.wait_for_selector(CHART)
        first = {mode: page.evaluate(ELEMENTS_JS) for mode, page in pages.items()}
        assert first["data"] == first["anew"]
        for fraction in (0.3, 0.85, 0.5):
            shown = {}
            for mode, page in pages.items():
                page.evaluate("() => { window.__svg = document.querySelector('.dpmkit-chart svg'); }")
                page.evaluate(WATCH_JS)
                shown[mode] = drag_first_slider(page, fraction)
                wait_for(lambda page=page: page.evaluate("() => window.__dpmkit.redrawn !== null"), 60,
                         f"the {mode} page's chart to redraw")
            assert shown["data"] == shown["anew"]  # the same lever value on both pages
            page = pages["data"]
            assert page.evaluate("() => document.querySelector('.dpmkit-chart svg') === window.__svg")
            assert not pages["anew"].evaluate("() => document.querySelector('.dpmkit-chart svg') === window.__svg")
            drawn = {mode: page.evaluate(ELEMENTS_JS) for mode, page in pages.items()}
            assert drawn["data"] == drawn["anew"] != first["data"]
            pictures = {mode: _pixels(page.locator(".dpmkit-chart svg").screenshot()) for mode, page in pages.items()}
            assert pictures["data"] == pictures["anew"]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
