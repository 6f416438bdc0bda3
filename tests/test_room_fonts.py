"""The room serves its icon fonts cut down to the icons its pages can show, and Solara's sheet
without KaTeX (dpmkit.room.fonts): the trimmed sheets and fonts are what the pages get, with
the right headers, and every icon
the room's pages show (participant, facilitator, the game's table and facilitator pages) is
drawn by the served font exactly as by the installed one, pixel for pixel."""

from __future__ import annotations

import gzip
import io
import re
import sys
import urllib.request
from pathlib import Path

import pytest
from room_session import missing_room_requirements, room

ROOT = Path(__file__).resolve().parents[1]
ROOM_REASON = missing_room_requirements()
needs_room = pytest.mark.skipif(ROOM_REASON is not None, reason=f"ROOM TEST SKIPPED: {ROOM_REASON}")


def test_trim_css_keeps_only_the_named_icons_and_everything_else():
    from dpmkit.room import fonts

    css = ('/* a comment { with braces } */\n@charset "UTF-8";\n'
           '@font-face { font-family: "Material Design Icons"; src: url(a.eot); src: url(a.woff2) format("woff2"); }\n'
           '.mdi:before, .mdi-set { display: inline-block; }\n'
           '.mdi-menu-down::before {\n  content: "\\F035D";\n}\n'
           '.mdi-alarm::before {\n  content: "\\F0020";\n}\n'
           '.mdi-rotate-45:before { transform: rotate(45deg); }\n'
           '.mdi-check::before, .mdi-check-bold::before { content: "\\F012C"; }\n'
           '@keyframes mdi-spin { 0% { transform: rotate(0deg); } 100% { transform: rotate(359deg); } }\n'
           '.x::after { content: "}"; }\n')
    out, kept = fonts.trim_css(css, {"mdi-menu-down", "mdi-check"},
                               font_face=lambda body: body.replace("a.woff2", "b.woff"))
    assert kept == {"mdi-menu-down": 0xF035D, "mdi-check": 0xF012C}
    assert "mdi-alarm" not in out and "mdi-check-bold" not in out
    for piece in ("/* a comment { with braces } */", '@charset "UTF-8";', ".mdi:before, .mdi-set",
                  ".mdi-rotate-45:before", "@keyframes mdi-spin { 0% { transform: rotate(0deg); } 100%",
                  '.x::after { content: "}"; }', ".mdi-check::before {", "url(b.woff)"):
        assert piece in out, piece
    # Nothing but the dropped icons goes: with every icon kept, the sheet is as it was.
    whole, _ = fonts.trim_css(css, {"mdi-menu-down", "mdi-check", "mdi-check-bold", "mdi-alarm"})
    assert whole == css


def test_without_math_drops_katex_and_nothing_else():
    from dpmkit.room import fonts

    css = ('@font-face{font-family:KaTeX_Main;src:url(data:font/woff2;base64,AAAA) format("woff2")}'
           '@font-face{font-family:Roboto;src:url(r.woff2)}'
           '.katex{font:normal 1.21em KaTeX_Main}.katex .base,.katex .strut{display:inline-block}'
           '.v-btn,.katex .x{color:red}.v-application .katexish{color:blue}.katex-display{margin:1em}'
           '@media print{.katex{display:none}}.v-select{width:1px}')
    assert fonts.without_math(css) == ('@font-face{font-family:Roboto;src:url(r.woff2)}'
                                       '.v-btn,.katex .x{color:red}.v-application .katexish{color:blue}'
                                       '@media print{.katex{display:none}}.v-select{width:1px}')


@pytest.fixture(scope="module")
def built():
    if ROOM_REASON:
        pytest.skip(ROOM_REASON)
    from dpmkit.room.server import configure_solara

    configure_solara()
    from solara.server import settings

    from dpmkit.room import fonts

    assert fonts.build() is None, fonts.problem()
    return fonts, Path(settings.assets.proxy_cache_dir)


def _cmap(data):
    from fontTools.ttLib import TTFont

    return set(TTFont(io.BytesIO(data)).getBestCmap())


@needs_room
def test_the_served_fonts_hold_every_icon_the_kit_and_vuetify_name(built):
    fonts, cdn = built
    served = fonts.files()
    mdi, fa = fonts.icons()
    sheet = served[fonts.FONTS_CSS]["body"].decode("utf-8")
    installed = (cdn / fonts.VUETIFY_APP / "dist" / "fonts.css").read_text(encoding="utf-8")
    rules = dict(re.findall(r'\.(mdi-[a-z0-9-]+)::before\s*{\s*content:\s*"\\([0-9A-F]+)"', installed))
    # Vuetify's own icons (its select, expansion panel, checkbox) and every icon the kit names
    for name in ("mdi-menu-down", "mdi-chevron-down", "mdi-checkbox-marked", "mdi-close", "mdi-alert"):
        assert name in mdi
    kit = set()
    for path in (ROOT / "dpmkit").rglob("*.py"):
        kit.update(f"fa-{n}" for n in re.findall(r"""\bicon\s*=\s*["']([a-z0-9-]+)["']""", path.read_text()))
    assert kit and kit <= set(fa), kit - set(fa)
    # the served sheet names exactly the kept icons, each with the installed code point ...
    named = dict(re.findall(r'\.(mdi-[a-z0-9-]+)::before\s*{\s*content:\s*"\\([0-9A-F]+)";\s*}', sheet))
    assert set(named) == set(mdi) and all(rules[n] == cp for n, cp in named.items())
    assert ".material-icons._10k" in installed and ".material-icons._10k" not in sheet
    assert sheet.count("@font-face") == installed.count("@font-face")  # Roboto, Material Icons, MDI
    # ... and the font its @font-face names holds each of them; a fiftieth of the installed font
    font = re.search(r'src: url\((dpmkit-mdi-[0-9a-f]{16}\.woff)\) format\("woff"\)', sheet).group(1)
    woff = served[f"{fonts.CDN}{fonts.VUETIFY_APP}/dist/{font}"]["body"]
    assert {int(cp, 16) for cp in named.values()} <= _cmap(woff)
    assert len(woff) * 20 < (cdn / fonts.VUETIFY_APP / "dist" / "d9f39587ab2751b33bcf.woff2").stat().st_size
    assert len(served[fonts.FONTS_CSS]["body"]) * 5 < len(installed)
    # Font Awesome: the same, its sheet named by its hash
    fa_sheet = next(v["body"].decode() for k, v in served.items() if k.endswith(".css") and "font-awesome" in k)
    fa_font = re.search(r"url\('\.\./fonts/(dpmkit-fa-[0-9a-f]{16}\.woff)'\) format\('woff'\)", fa_sheet).group(1)
    points = {int(cp, 16) for cp in re.findall(r'content:"\\([0-9a-f]+)"', fa_sheet)}
    assert points and points <= _cmap(served[f"{fonts.CDN}font-awesome@4.5.0/fonts/{fa_font}"]["body"])
    assert ".fa-glass:before" not in fa_sheet and ".fa-undo:before" in fa_sheet and ".fa-spin{" in fa_sheet
    # Solara's sheet: every rule but KaTeX's, as installed; under half the bytes compressed
    import ipywidgets

    main = f"main{ipywidgets.__version__.split('.')[0]}.css"
    installed = (cdn / fonts.VUETIFY_APP / "dist" / main).read_text(encoding="utf-8")
    sheet = served[f"{fonts.CDN}{fonts.VUETIFY_APP}/dist/{main}"]
    rules = [b for b in fonts._blocks(installed) if "KaTeX" not in (b[1] or "") and not (
        b[1] is not None and all(re.match(r"\.katex(-[\w-]+)?(?![\w-])", s.strip()) for s in b[0].split(",")))]
    assert fonts._blocks(sheet["body"].decode("utf-8")) == rules
    assert "KaTeX" in installed and "KaTeX" not in sheet["body"].decode("utf-8")
    assert len(sheet["gzip"]) * 2 < len(gzip.compress(installed.encode("utf-8")))


@needs_room
def test_the_icon_scan_is_kept_in_the_user_cache_by_the_files_it_read(tmp_path, monkeypatch):
    """The scan of Solara's front end and the packages' files (0.5-2 s a start) is kept in the
    kit's cache folder, keyed by Solara's version and each scanned file's size and time: a second
    start reads no file; a changed file scans again; a tampered cache is not believed."""
    import json
    import os

    from dpmkit.room.server import configure_solara

    configure_solara()
    from solara.server import settings

    from dpmkit.room import fonts

    cdn = Path(settings.assets.proxy_cache_dir)
    monkeypatch.setenv("DPMKIT_CACHE_DIR", str(tmp_path / "cache"))
    scanned = fonts.icon_names(cdn, cache=False)
    assert "mdi-menu-down" in scanned[0] and "fa-undo" in scanned[1]
    reads = []
    real_read = fonts._read
    monkeypatch.setattr(fonts, "_read", lambda path: reads.append(path) or real_read(path))
    assert fonts.icon_names(cdn) == scanned and len(reads) > 100  # first start: scanned, kept
    kept = list((tmp_path / "cache").glob("room-icons-*.json"))
    assert len(kept) == 1 and os.stat(kept[0]).st_mode & 0o777 == 0o644
    reads.clear()
    assert fonts.icon_names(cdn) == scanned and reads == []  # a second start reads the list only
    # A scanned file changes (here: a file of the kit, touched): its key changes, so it scans again.
    source = Path(fonts.__file__)
    stat = source.stat()
    try:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert fonts.icon_names(cdn) == scanned and len(reads) > 100
        assert len(list((tmp_path / "cache").glob("room-icons-*.json"))) == 1  # the old list removed
    finally:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    # A cache that is not a list of icon names is scanned over, not used.
    fonts.icon_names(cdn)  # the file as it was again: its own list
    kept = tmp_path / "cache" / f"room-icons-{fonts._scan_key(cdn)}.json"
    assert kept.is_file()
    for bad in ({"mdi": ["mdi-x", "</style><script>"], "fa": []}, {"mdi": "mdi-x", "fa": []}, [1]):
        kept.write_text(json.dumps(bad), encoding="utf-8")
        reads.clear()
        assert fonts.icon_names(cdn) == scanned and len(reads) > 100


def _get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@needs_room
def test_the_room_serves_the_trimmed_sheets_and_fonts_with_their_headers(tmp_path):
    with room(tmp_path / "ballots", "--code", "FONT5") as running:
        status, headers, body = _get(running.participants, **{"Accept-Encoding": "identity"})
        page = body.decode("utf-8")
        fa_sheet = re.search(r'href="(/_solara/cdn/font-awesome@4\.5\.0/css/dpmkit-font-awesome-[0-9a-f]{16}\.css)"',
                             page).group(1)
        assert "font-awesome.min.css" not in page
        status, headers, body = _get(running.base + fa_sheet, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        fa_font = re.search(r"\.\./fonts/(dpmkit-fa-[0-9a-f]{16}\.woff)", gzip.decompress(body).decode()).group(1)
        status, headers, body = _get(f"{running.base}/_solara/cdn/font-awesome@4.5.0/fonts/{fa_font}")
        assert status == 200 and headers["Content-Type"] == "font/woff" and body[:4] == b"wOFF"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"

        css = f"{running.base}/_solara/cdn/@widgetti/solara-vuetify-app@10.1.1/dist/fonts.css"
        status, headers, body = _get(css, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert headers["Content-Type"].startswith("text/css")
        assert headers["Cache-Control"] == "no-cache" and headers["ETag"].startswith('W/"dpmkit-')
        sheet = gzip.decompress(body).decode("utf-8")
        assert len(body) < 8_000 and ".mdi-menu-down::before" in sheet and ".mdi-alarm::before" not in sheet
        status, again, body = _get(css, **{"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]})
        assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
        font = re.search(r"url\((dpmkit-mdi-[0-9a-f]{16}\.woff)\)", sheet).group(1)
        status, headers, body = _get(css.replace("fonts.css", font))
        assert status == 200 and body[:4] == b"wOFF" and headers["Cache-Control"].endswith("immutable")
        # a font name the room did not build goes on to Solara, which has no such file
        assert _get(css.replace("fonts.css", "dpmkit-mdi-0000000000000000.woff"))[0] == 404
        status, headers, body = _get(css.replace("fonts.css", "main8.css"), **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Cache-Control"] == "no-cache" and headers["ETag"].startswith('W/"dpmkit-')
        assert b".v-btn" in gzip.decompress(body) and b"KaTeX" not in gzip.decompress(body)
        # the guard still answers only the room's routes
        assert _get(running.base + "/api/contents")[0] == 404


# ----------------------------------------------------------------------------- in a real browser
#: For every icon on the page (an element whose ::before shows a glyph of an icon font): draw the
#: glyph with the font the page uses and with the installed font (loaded under another name),
#: on two canvases; return each icon's name, font, ink (pixels drawn) and whether both agree.
COMPARE_JS = r"""
async (installed) => {
  const families = {};
  for (const [family, url] of Object.entries(installed)) {
    const face = new FontFace('installed-' + family.replace(/\W/g, ''), `url(${url})`);
    await face.load();
    document.fonts.add(face);
    families[family] = face.family;
  }
  const draw = (font, ch) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 96;
    const ctx = canvas.getContext('2d');
    ctx.font = `64px ${font}`;
    ctx.fillStyle = '#000';
    ctx.fillText(ch, 8, 76);
    const data = ctx.getImageData(0, 0, 96, 96).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) ink += data[i] > 0;
    return {data, ink, width: ctx.measureText(ch).width};
  };
  const out = [];
  for (const el of document.querySelectorAll('i, .v-icon, [class*="mdi-"], [class*="fa-"]')) {
    const style = getComputedStyle(el, '::before');
    const family = style.fontFamily.replace(/"/g, '');
    if (!(family in families) || !style.content || style.content === 'none') continue;
    const ch = JSON.parse(style.content);
    await document.fonts.load(`64px "${family}"`, ch);
    await document.fonts.load(`64px "${families[family]}"`, ch);
    const served = draw(`"${family}"`, ch), original = draw(`"${families[family]}"`, ch);
    let same = served.data.length === original.data.length && served.width === original.width;
    for (let i = 0; same && i < served.data.length; i++) same = served.data[i] === original.data[i];
    const name = [...el.classList].find(c => /^(mdi|fa)-/.test(c) && !/^fa-(fw|lg|\dx)$/.test(c)) || el.className;
    out.push({name, family, ink: served.ink, same, shown: el.getBoundingClientRect().width > 0});
  }
  return out;
}
"""


def _installed_fonts(base):
    from solara.server import settings

    dist = Path(settings.assets.proxy_cache_dir) / "@widgetti/solara-vuetify-app@10.1.1/dist"
    mdi = re.search(r'url\(([0-9a-f]+\.woff2)\?v=[\d.]+\) format\("woff2"\)', (dist / "fonts.css").read_text()).group(1)
    return {"Material Design Icons": f"{base}/_solara/cdn/@widgetti/solara-vuetify-app@10.1.1/dist/{mdi}",
            "FontAwesome": f"{base}/_solara/cdn/font-awesome@4.5.0/fonts/fontawesome-webfont.woff2"}


def _icons_drawn_as_installed(page, base, fetched):
    """Every icon on ``page`` drawn by the served font as by the installed one; its names."""
    # the page drew its icons with the room's fonts, before the test loaded the installed ones
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    icon_fonts = [u for u in fetched if re.search(r"/dpmkit-|d9f39587ab2751b33bcf|fontawesome-webfont", u)]
    assert icon_fonts and all("/dpmkit-" in u for u in icon_fonts), icon_fonts
    assert page.locator(".katex").count() == 0  # no formulas: the room serves Solara's sheet without KaTeX
    icons = page.evaluate(COMPARE_JS, _installed_fonts(base))
    assert icons, "no icon found on the page"
    wrong = [i for i in icons if not (i["same"] and i["ink"] > 20)]
    assert not wrong, wrong
    return {i["name"] for i in icons if i["shown"]}


def _watch(page):
    fetched = []
    page.on("request", lambda r: fetched.append(r.url))
    return fetched


@needs_room
def test_every_icon_the_room_pages_show_is_drawn_as_with_the_installed_font(tmp_path):
    from browser.lab_session import missing_requirements
    from browser_helpers import offline_browsers

    if missing_requirements():
        pytest.skip(missing_requirements())
    with room(tmp_path / "ballots", "--code", "ICON3", "--tables", "Red,Blue") as running, \
            offline_browsers("room_fonts", running) as browsers:
        context = browsers.context()
        page = context.new_page()
        page.set_default_timeout(90_000)
        fetched = _watch(page)
        browsers.pages["participant"] = page
        page.goto(running.participants)
        page.wait_for_selector(".dpmkit-chart g.mark-line path")
        page.locator("button", has_text="Scenarios").click()  # the scenario box: more buttons, more icons
        page.wait_for_selector("button:has-text('Save settings')")
        page.locator(".room-table").click()  # the table menu open
        page.wait_for_selector(".v-menu__content .v-list-item")
        shown = _icons_drawn_as_installed(page, running.base, fetched)
        assert {"mdi-menu-down", "fa-undo", "fa-thumb-tack", "fa-save", "fa-folder-open", "fa-trash"} <= shown, shown

        page = browsers.open("facilitator", viewport=(1400, 1100))
        page.set_default_timeout(90_000)
        fetched = _watch(page)
        page.goto(running.facilitator)
        page.wait_for_selector(".room-dashboard")
        for details in page.locator(".v-expansion-panel-header").all():
            details.click()
        page.wait_for_selector(".room-paper")
        shown = _icons_drawn_as_installed(page, running.base, fetched)
        assert {"mdi-chevron-down", "mdi-menu-down"} <= shown, shown


@needs_room
def test_the_game_pages_icons_are_drawn_as_with_the_installed_font(tmp_path):
    from browser.lab_session import missing_requirements
    from browser_helpers import offline_browsers

    if missing_requirements():
        pytest.skip(missing_requirements())
    with room(tmp_path / "room", "--code", "GAME4", "--tables", "Red,Blue", "--game", "surrey") as running, \
            offline_browsers("game_fonts", running) as browsers:
        page = browsers.open("Red", viewport=(1200, 1000))
        page.set_default_timeout(90_000)
        fetched = _watch(page)
        page.goto(running.base + "/?code=GAME4&table=Red")
        page.wait_for_selector(".game-table")
        shown = _icons_drawn_as_installed(page, running.base, fetched)
        assert "mdi-chevron-down" in shown or "mdi-chevron-up" in shown, shown

        page = browsers.open("facilitator", viewport=(1400, 1100))
        page.set_default_timeout(90_000)
        fetched = _watch(page)
        page.goto(running.facilitator)
        page.wait_for_selector(".game-facilitator")
        shown = _icons_drawn_as_installed(page, running.base, fetched)
        assert "mdi-menu-down" in shown, shown


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
