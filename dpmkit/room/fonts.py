"""Only the fonts the room's pages can show: trimmed icon fonts and their style sheets, and
Solara's style sheet without the math fonts.

A participant's page, as Solara serves it, loads two icon fonts for a handful of icons:

- Material Design Icons (Vuetify's icons: the select's arrow, an expansion panel's chevron),
  a 283 KB font with a 270 KB style sheet naming its ~5,000 icons, inside Solara's
  ``fonts.css`` (359 KB, which also carries Roboto and Material Icons' ~2,000 class names);
- Font Awesome 4.5 (ipywidgets' button icons: the explorer's undo, pin and save), a 65 KB
  font and a 27 KB style sheet.

A classic script waits for the style sheets above it, so both sheets stand in front of
Solara's front end, and on a room's poor wifi every participant fetches every byte. The room
serves, at the same places, the same sheets with only the icons the pages can show, and
fonts cut down to those glyphs (:func:`build`, once, when the room starts):

- the icons: every ``mdi-…`` name in Solara's front end (Vuetify's own icons), in Solara's
  Python components and in the kit; every ``fa-…`` name in Solara's front end (ipywidgets'
  own icons) and every ``icon="…"`` of an ipywidget in the kit. Generous on purpose (about
  110 and 60 glyphs): an icon a page shows only in some state (an error, an open menu) is
  still there. ``tests/test_room_fonts.py`` draws every icon the room's pages show with the
  served font and with the installed one, pixel for pixel;
- everything else in the sheets stays (Roboto, the icon classes' base rules, sizes,
  rotations); Material Icons keeps its font and base class (Vuetify draws it by ligature)
  without its per-icon classes, which nothing uses;
- the fonts are WOFF (zlib; WOFF2 needs brotli, which the kit does not install), named by
  their content's hash and kept by browsers for good. Font Awesome's sheet is named by its
  hash too (Solara's ``fontawesome_path`` setting); ``fonts.css`` keeps Solara's address, so
  browsers check it again each visit (``no-cache`` and an ETag) rather than keep a trimmed
  sheet under a name that Solara's own full sheet also has.

Solara's own style sheet (``main8.css``, in the page's head: it holds up the first drawing and
every script) carries KaTeX, for Markdown with formulas: 17 KB of rules and six fonts written
into the sheet (106 KB of base64), 78 of its 141 KB compressed. The room's pages show no
formulas (they write HTML, never Markdown), so the room serves that sheet without KaTeX's
``@font-face`` and ``.katex`` rules, at Solara's address, ``no-cache`` with an ETag like
``fonts.css``; every other rule is as installed.

The scan for icon names (Solara's 2 MB front end and every Python file of Solara and the kit,
0.5-2 s) is kept in the kit's user cache folder, keyed by Solara's version and each scanned
file's name, size and modification time (:func:`icon_names`); never in the ballot folder.

If anything is missing (fontTools, an upgraded Solara whose files moved), the room serves
the files as installed and says why (:func:`problem`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import re
from pathlib import Path

from .frontend import IMMUTABLE, asset

__all__ = ["build", "files", "icon_names", "icons", "problem", "trim_css", "without_math"]

#: Solara's Vue 2 front end, whose files ``solara-assets`` installs (see :mod:`dpmkit.room.server`).
VUETIFY_APP = "@widgetti/solara-vuetify-app@10.1.1"
FONT_AWESOME = "font-awesome@4.5.0"
CDN = "/_solara/cdn/"
FONTS_CSS = f"{CDN}{VUETIFY_APP}/dist/fonts.css"
_FRONT_END_JS = f"{VUETIFY_APP}/dist/solara-vuetify-app8.min.js"
_MDI_TTF_RE = re.compile(r'url\(([0-9a-f]+\.ttf)\?v=[\d.]+\)\s*format\("truetype"\)')
_FA_TTF = f"{FONT_AWESOME}/fonts/fontawesome-webfont.ttf"
_FA_CSS = f"{FONT_AWESOME}/css/font-awesome.min.css"
_MDI_NAME = re.compile(r"\bmdi-[a-z0-9]+(?:-[a-z0-9]+)*")
_FA_NAME = re.compile(r"\bfa-[a-z0-9]+(?:-[a-z0-9]+)*")
_WIDGET_ICON = re.compile(r"""\bicon\s*=\s*["']([a-z0-9-]+)["']""")
_CONTENT = re.compile(r'\A\s*content:\s*"\\([0-9A-Fa-f]+)"\s*;?\s*\Z')
_MDI_RULE = re.compile(r"\A\.(mdi-[a-z0-9-]+)::?before\Z")
_FA_RULE = re.compile(r"\A\.(fa-[a-z0-9-]+):before\Z")
_MATERIAL_RULE = re.compile(r"\A\.material-icons\.[A-Za-z0-9_]+:before\Z")


# ----------------------------------------------------------------------------- style sheets
_SIGNIFICANT = re.compile(r"[\"'{};]|/\*")
_STRING = {'"': re.compile(r'"(?:[^"\\]|\\.)*"', re.S), "'": re.compile(r"'(?:[^'\\]|\\.)*'", re.S)}


def _blocks(css):
    """Split a style sheet into its top-level pieces: (prelude, body) for a rule or a block
    at-rule (``body`` without its braces), (text, None) for a comment, blank or ``@charset …;``.
    Strings and comments may hold braces; ``"".join`` of the pieces, braces put back, is the sheet."""
    out, i, n = [], 0, len(css)
    while i < n:
        if css[i].isspace():
            j = i
            while j < n and css[j].isspace():
                j += 1
            out.append((css[i:j], None))
            i = j
            continue
        if css.startswith("/*", i):
            j = css.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append((css[i:j], None))
            i = j
            continue
        j, depth, start, body_start = i, 0, i, None
        while True:
            found = _SIGNIFICANT.search(css, j)
            if found is None:
                j = n
                break
            j, c = found.start(), found.group()
            if c in "\"'":
                end = _STRING[c].match(css, j)
                j = end.end() if end else n
                continue
            if c == "/*":
                k = css.find("*/", j + 2)
                j = n if k < 0 else k + 2
                continue
            if c == ";" and depth == 0:  # an at-rule without a block (@charset, @import)
                j += 1
                break
            if c == "{":
                if depth == 0:
                    body_start = j + 1
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    j += 1
                    break
            j += 1
        if body_start is None:
            out.append((css[start:j], None))
        else:
            out.append((css[start:body_start - 1], css[body_start:j - 1]))
        i = j
    return out


def _join(blocks):
    return "".join(text if body is None else f"{text}{{{body}}}" for text, body in blocks)


def trim_css(css, keep, rule=_MDI_RULE, drop=None, font_face=None):
    """``css`` with only the icon rules of ``keep`` (names such as ``"mdi-menu-down"``).

    An icon rule is a rule whose selectors each match ``rule`` (one group: the icon's name) and
    whose body is only a ``content`` of one escaped code point; a grouped rule keeps the
    selectors whose names are kept. Rules whose selectors all match ``drop`` go. Everything else
    stays as it is. ``font_face``: a function given an ``@font-face`` body, returning the body to
    serve (or the same). Returns (the sheet, {kept name: code point})."""
    kept, out = {}, []
    for text, body in _blocks(css):
        if body is None:
            out.append((text, body))
            continue
        prelude = re.sub(r"/\*.*?\*/", "", text, flags=re.S).strip()
        if prelude.startswith("@font-face") and font_face is not None:
            out.append((text, font_face(body)))
            continue
        selectors = [s.strip() for s in prelude.split(",")]
        content = _CONTENT.match(body)
        if drop is not None and all(drop.match(s) for s in selectors):
            continue
        names = [rule.match(s) for s in selectors]
        if content and all(names):
            chosen = [s for s, m in zip(selectors, names) if m.group(1) in keep]
            if not chosen:
                continue
            for m in names:
                if m.group(1) in keep:
                    kept[m.group(1)] = int(content.group(1), 16)
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
            out.append((lead + ", ".join(chosen) + trail, body))
            continue
        out.append((text, body))
    return _join(out), kept


_KATEX = re.compile(r"(?:\A|[\s>+~,(])\.katex(?:-[\w-]+)?(?![\w-])")  # KaTeX's classes: katex, katex-…


def without_math(css):
    """``css`` without KaTeX: its ``@font-face`` rules and the rules whose every selector names
    one of its classes (``katex``, ``katex-…``); everything else as it is."""
    out = []
    for text, body in _blocks(css):
        if body is not None:
            prelude = re.sub(r"/\*.*?\*/", "", text, flags=re.S).strip()
            if prelude.startswith("@font-face") and "KaTeX" in body:
                continue
            if not prelude.startswith("@") and all(_KATEX.search(" " + s.strip()) for s in prelude.split(",")):
                continue
        out.append((text, body))
    return _join(out)


# ----------------------------------------------------------------------------- which icons
def _read(path):
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _package_files(package, suffixes=(".py", ".vue", ".j2", ".html")):
    import importlib

    module = importlib.import_module(package)
    for root in getattr(module, "__path__", []):
        for path in sorted(Path(root).rglob("*")):
            if path.suffix in suffixes and path.is_file():
                yield path


def _scan(cdn_dir):
    """(mdi names, fa names), read from the files themselves (about 0.5-2 s)."""
    front_end = _read(Path(cdn_dir) / _FRONT_END_JS)
    mdi = set(_MDI_NAME.findall(front_end))
    fa = set(_FA_NAME.findall(front_end))
    for package in ("solara", "dpmkit"):
        for path in _package_files(package):
            text = _read(path)
            mdi.update(_MDI_NAME.findall(text))
            if package == "dpmkit":
                fa.update(_FA_NAME.findall(text))
                fa.update(f"fa-{name.removeprefix('fa-')}" for name in _WIDGET_ICON.findall(text))
    return mdi, fa


_ICONS_FILE = re.compile(r"room-icons-[0-9a-f]{32}\.json")


def _scan_key(cdn_dir):
    """What the scan depends on: Solara's version, this module's patterns and the name, size and
    modification time of every file it reads (a changed, added or removed file gives a new key)."""
    import solara

    parts = [solara.__version__, _MDI_NAME.pattern, _FA_NAME.pattern, _WIDGET_ICON.pattern]
    paths = [Path(cdn_dir) / _FRONT_END_JS]
    for package in ("solara", "dpmkit"):
        paths += list(_package_files(package))
    for path in paths:
        try:
            st = path.stat()
            parts.append(f"{path}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{path}|missing")
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def _cached(path):
    """The names kept at ``path`` by an earlier scan, or None (missing, unreadable, or not a list of
    icon names: the cache only ever chooses which glyphs are kept, and is checked like input)."""
    import json

    try:
        kept = json.loads(Path(path).read_text(encoding="utf-8"))
        mdi, fa = kept["mdi"], kept["fa"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for names, pattern in ((mdi, _MDI_NAME), (fa, _FA_NAME)):
        if not isinstance(names, list) or not all(isinstance(n, str) and pattern.fullmatch(n) for n in names):
            return None
    return set(mdi), set(fa)


def icon_names(cdn_dir, cache=True):
    """(mdi names, fa names) the room's pages can show: see the module's docstring.

    The scan reads Solara's 2 MB front end and every Python file of Solara and the kit (0.5-2 s at
    each start); its result is kept in the kit's user cache folder (``dpmkit.charts.render.cache_dir``,
    never the ballot folder) under a key of Solara's version and every scanned file's name, size and
    modification time, so a later start with the same files reads it instead. ``cache=False`` scans.
    """
    if not cache:
        return _scan(cdn_dir)
    import json

    from .._files import atomic_write
    from ..charts.render import cache_dir

    try:
        folder = cache_dir()
        name = f"room-icons-{_scan_key(cdn_dir)}.json"
    except Exception:  # no cache folder to be had: scan
        return _scan(cdn_dir)
    found = _cached(folder / name)
    if found is not None:
        return found
    mdi, fa = _scan(cdn_dir)
    with contextlib.suppress(Exception):  # a read-only home: scan again next start
        folder.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"mdi": sorted(mdi), "fa": sorted(fa)}).encode("utf-8")
        atomic_write(folder, name, data, names=_ICONS_FILE, what="the room's icon list",
                     temp_prefix=".room-icons-", mode=0o644)
        for old in folder.iterdir():  # one list kept: the one for the files installed now
            if old.name != name and _ICONS_FILE.fullmatch(old.name):
                old.unlink()
    return mdi, fa


# ----------------------------------------------------------------------------- fonts
def _subset_woff(source, codepoints):
    """The font at ``source`` cut down to ``codepoints``, as WOFF (zlib) bytes."""
    import logging

    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # it notes each table it drops, and old dates
    options = subset.Options()
    options.notdef_outline = True
    font = TTFont(str(source), recalcTimestamp=False)  # the same bytes, so the same name, every start
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    if "glyf" in font:
        # Material Design Icons' metrics give every glyph a left side bearing of 0 whatever its
        # outline, and set the head flag that says so; fontTools clears that flag on saving, and
        # Chrome then drew each icon shifted left by its real bearing (found by the pixel test).
        # With the bearing its outline has, every reading of the font draws the icon in place.
        glyf, hmtx = font["glyf"], font["hmtx"]
        for name in font.getGlyphOrder():
            glyph = glyf[name]
            if glyph.numberOfContours:
                glyph.recalcBounds(glyf)
                hmtx[name] = (hmtx[name][0], glyph.xMin)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _hashed(data, stem, suffix):
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"


def _sheet(css, cache):
    """A style sheet served at Solara's own address: checked again each visit, by its ETag."""
    body = css.encode("utf-8")
    etag = b'W/"dpmkit-' + hashlib.sha256(body).hexdigest()[:24].encode("ascii") + b'"'
    return asset(body, b"text/css; charset=utf-8", cache, etag)


@functools.lru_cache(maxsize=1)
def _built():
    try:
        return _build(), None
    except Exception as err:  # the room still works with the files as installed
        return {}, f"the room serves Solara's icon fonts whole ({type(err).__name__}: {err})"


def _build():
    from solara.server import settings

    cdn_dir = Path(settings.assets.proxy_cache_dir)
    dist = cdn_dir / VUETIFY_APP / "dist"
    fonts_css = (dist / "fonts.css").read_text(encoding="utf-8")
    fa_css = (cdn_dir / _FA_CSS).read_text(encoding="utf-8")
    mdi_names, fa_names = icon_names(cdn_dir)
    served = {}

    # Material Design Icons, inside Solara's fonts.css (the font's name, its hash, is put in after)
    source = _MDI_TTF_RE.search(fonts_css)
    if source is None:
        raise LookupError(f"no Material Design Icons font named in {dist / 'fonts.css'}")

    def mdi_face(body):
        if "Material Design Icons" not in body:
            return body
        return re.sub(r"src:[^;]*;(\s*src:[^;]*;)?", 'src: url(@dpmkit-font@) format("woff");', body, count=1)

    css, mdi_points = trim_css(fonts_css, mdi_names, font_face=mdi_face, drop=_MATERIAL_RULE)
    if not mdi_points or css.count("@dpmkit-font@") != 1:
        raise LookupError(f"the room's icons or their font not found in {dist / 'fonts.css'}")
    woff = _subset_woff(dist / source.group(1), mdi_points.values())
    mdi_name = _hashed(woff, "dpmkit-mdi", ".woff")
    served[f"{CDN}{VUETIFY_APP}/dist/{mdi_name}"] = asset(woff, b"font/woff", IMMUTABLE)
    served[FONTS_CSS] = _sheet(css.replace("@dpmkit-font@", mdi_name), b"no-cache")

    # Font Awesome, its own sheet, named by its hash (Solara's fontawesome_path setting)
    def fa_face(body):
        return re.sub(r"src:[^;]*;(\s*src:[^;}]*;?)?", "src:url('../fonts/@dpmkit-font@') format('woff');", body,
                      count=1)

    css, fa_points = trim_css(fa_css, fa_names, rule=_FA_RULE, font_face=fa_face)
    if not fa_points or css.count("@dpmkit-font@") != 1:
        raise LookupError(f"the room's icons or their font not found in {cdn_dir / _FA_CSS}")
    woff = _subset_woff(cdn_dir / _FA_TTF, fa_points.values())
    fa_font = _hashed(woff, "dpmkit-fa", ".woff")
    served[f"{CDN}{FONT_AWESOME}/fonts/{fa_font}"] = asset(woff, b"font/woff", IMMUTABLE)
    body = css.replace("@dpmkit-font@", fa_font).encode("utf-8")
    fa_sheet = _hashed(body, "dpmkit-font-awesome", ".css")
    served[f"{CDN}{FONT_AWESOME}/css/{fa_sheet}"] = asset(body, b"text/css; charset=utf-8", IMMUTABLE)
    served["fontawesome_path"] = f"/{FONT_AWESOME}/css/{fa_sheet}"

    # Solara's style sheet without KaTeX
    import ipywidgets

    main = f"main{ipywidgets.__version__.split('.')[0]}.css"
    served[f"{CDN}{VUETIFY_APP}/dist/{main}"] = _sheet(without_math((dist / main).read_text(encoding="utf-8")),
                                                       b"no-cache")
    served["icons"] = (sorted(mdi_points), sorted(fa_points))
    return served


def build():
    """Build the trimmed sheets and fonts (once; about 0.3 s) and point Solara's pages at the
    trimmed Font Awesome sheet. Call in the room's process, after Solara is configured. Returns
    :func:`problem`."""
    served, why = _built()
    if served:
        from solara.server import settings

        settings.assets.fontawesome_path = served["fontawesome_path"]
    return why


def problem():
    """Why the room serves the icon fonts as installed, or None when it serves them trimmed."""
    return _built()[1]


@functools.lru_cache(maxsize=1)
def files():
    """{URL path: {"body", "gzip", "type", "cache", "etag"}} the room answers itself (empty when
    it serves the icon fonts as installed)."""
    return {k: v for k, v in _built()[0].items() if k.startswith("/")}


def icons():
    """(Material Design Icons names, Font Awesome names) the served fonts hold (empty when whole)."""
    return _built()[0].get("icons", ((), ()))
