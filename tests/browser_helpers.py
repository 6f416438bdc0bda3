"""What the room's and the game's browser tests share: headless Chromium whose pages reach only
this machine, each page in its own context (own cookies), a dump of every page (screenshot,
address, text) and of the room's log when a test fails, and bounded waits.

>>> with offline_browsers("game", running) as pages:            # doctest: +SKIP
...     red = pages.open("Red", running.base + "/?code=X&table=Red")
... # on the way out: every browser closed, and no page asked for anything off this machine

Any request to another address than 127.0.0.1 (and data:/blob:) is aborted and noted by
:func:`room_session.offline`; :func:`offline_browsers` fails the test if there was one.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager, suppress

from browser.lab_session import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from room_session import offline
from widget_tree import wait_for

__all__ = ["OfflineBrowsers", "offline_browsers", "text", "wait_for"]


def text(page, selector):
    """The text of the first element ``selector`` finds, or "" when there is none (yet)."""
    loc = page.locator(selector)
    return loc.first.inner_text() if loc.count() else ""


class OfflineBrowsers:
    """One or more headless Chromium browsers; every context they open is offline."""

    def __init__(self, name, running):
        self.name, self.running = name, running
        self.outside = []  # every request that tried to leave this machine
        self.pages = {}  # {label: page}, dumped when the test fails
        self.browsers = []

    def launch(self, playwright, count, args):
        for _ in range(count):
            self.browsers.append(playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args))

    def context(self, *, viewport=(1200, 900), downloads=False, browser=0, init_script=None):
        """A new browser context (own cookies) that reaches only this machine."""
        width, height = viewport
        context = self.browsers[browser].new_context(viewport={"width": width, "height": height},
                                                     accept_downloads=downloads)
        offline(context, self.outside)
        if init_script:
            context.add_init_script(init_script)
        return context

    def open(self, label, url=None, *, context=None, timeout=60_000, wait_until="load", **context_options):
        """A new page, in ``context`` or in a new offline context of its own; it goes to ``url``
        when one is given. ``label`` names it in the failure dump."""
        page = (context or self.context(**context_options)).new_page()
        page.set_default_timeout(timeout)
        self.pages[label] = page
        if url is not None:
            page.goto(url, wait_until=wait_until)
        return page

    def dump(self):
        """What every page showed, and the room's last output, for a failing test."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for label, page in self.pages.items():
            with suppress(Exception):  # a page already closed or crashed: dump the others
                page.screenshot(path=str(ARTIFACTS / f"{self.name}_failed_{label}.png"), full_page=True)
                print(f"--- {label}: {page.url}\n{page.inner_text('body')[:2500]}", file=sys.stderr)
        if self.running is not None:
            print("--- the room's output:\n" + "".join(self.running.log)[-3000:], file=sys.stderr)


@contextmanager
def offline_browsers(name, running=None, *, count=1, args=CHROMIUM_ARGS):
    """Yield :class:`OfflineBrowsers` (``count`` browsers); dump every page and the room's log
    (``running``, a :class:`room_session.RoomProcess`) if the block fails; close the browsers;
    then fail if any page asked for anything off this machine."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        session = OfflineBrowsers(name, running)
        try:
            session.launch(p, count, args)
            yield session
        except BaseException:
            session.dump()
            raise
        finally:
            for browser in session.browsers:
                with suppress(Exception):
                    browser.close()
    assert session.outside == [], f"the pages asked the internet for {sorted(set(session.outside))[:5]}"
