"""Pictures drawn before, kept on disk (internal to :mod:`dpmkit.charts`).

The first drawing in a kernel starts vl-convert's JavaScript engine: about 1 s of CPU, 3-6 s
on a loaded laptop, holding Python's GIL. A learner who opens a lesson again, or restarts the
kernel and runs every cell, asks for the same charts with the same numbers (runs are
deterministic on one machine), so each SVG a Jupyter kernel draws is kept under the kit's
user cache folder (``<cache>/pictures``), named by a hash of everything that decides the
drawing: vl-convert's version, the Vega-Lite version and the chart's whole dict, data
included. A later kernel reads the same picture back, byte for byte what vl-convert drew,
and starts no engine at all while every chart it shows was drawn before. A chart with other
numbers has another name, so it is drawn afresh; nothing is ever read for a chart it was not
drawn from.

Trusted as the user's other caches are: the pictures are shown in the learner's notebook (an
SVG inside HTML), so the folder is created private (0700) and used only while it is this
user's alone to write (:func:`dpmkit._files.ours_alone`); otherwise nothing is kept or read.

Bounded: at most :data:`MAX_FILES` pictures and :data:`MAX_BYTES` in all (the least recently
used go first), none larger than :data:`MAX_FILE`. Best effort: a folder that cannot be
written, a file that is not a whole SVG, a dict that is not JSON, all draw as before. Written
on a background thread (the picture is shown first) by the kit's atomic writer, so two
kernels never read half a file.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import threading
from pathlib import Path

from .._files import atomic_write, ours_alone

#: Pictures kept at most: every lesson run once under nbval kept 92 pictures, 3.4 MB in all, 5.6 to
#: 167 KB each, median 26 KB (measured 2026-12-04, see docs/decisions.md): about four full passes
#: through the lessons.
MAX_FILES = 400
#: Bytes kept at most, all pictures together (400 of the largest lesson chart would be 67 MB).
MAX_BYTES = 48 * 2**20
#: A single picture larger than this is neither kept nor read.
MAX_FILE = 4 * 2**20
#: The only names this cache writes or reads.
NAMES = re.compile(r"[0-9a-f]{40}\.svg")


@functools.lru_cache(maxsize=1)
def _engine_version():
    """vl-convert's installed version, without importing it (its import costs ~40 ms); "" if unknown."""
    from importlib import metadata

    try:
        return metadata.version("vl-convert-python")
    except Exception:  # not installed as a distribution (e.g. vendored): no cache
        return ""


def name_for(spec, vl_version):
    """The picture's file name for ``spec`` drawn as Vega-Lite ``vl_version``, or None when the
    dict cannot be written as JSON (then the chart is simply drawn)."""
    engine = _engine_version()
    if not engine:
        return None
    try:
        text = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return None
    digest = hashlib.sha256(f"{engine}|{vl_version}|".encode() + text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:40] + ".svg"


def usable(folder):
    """True when pictures may be kept in and read from ``folder``: created private if missing,
    and this user's alone to write. False for a folder anyone can write to, or none at all."""
    try:
        Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
        return ours_alone(folder)
    except (OSError, ValueError):
        return False


def read(folder, name):
    """The picture ``folder/name`` as drawn before, or None. A hit is marked as just used."""
    if name is None:
        return None
    path = Path(folder) / name
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError, ValueError):
        return None
    if not (text.startswith("<svg") and text.endswith("</svg>")):
        return None  # cut short or not ours: draw it again (and the new drawing replaces it)
    with contextlib.suppress(OSError):
        os.utime(path)  # the least recently used go first when the folder is full
    return text


def keep(folder, name, svg):
    """Keep ``svg`` as ``folder/name`` on a background thread (the drawing is shown meanwhile)."""
    if name is None or not isinstance(svg, str) or not svg.startswith("<svg"):
        return None
    data = svg.encode("utf-8", "surrogatepass")
    if len(data) > MAX_FILE:
        return None
    thread = threading.Thread(target=_write, args=(Path(folder), name, data), name="dpmkit-picture", daemon=True)
    thread.start()
    return thread


def _write(folder, name, data):
    # Anything wrong (a read-only or full disk...) only means the chart is drawn again next time;
    # a thread's traceback would land in the learner's notebook.
    with contextlib.suppress(Exception):
        atomic_write(folder, name, data, names=NAMES, what="a chart picture", temp_prefix=".picture-",
                     mode=0o644)
        prune(folder)


def prune(folder, max_files=MAX_FILES, max_bytes=MAX_BYTES):
    """Remove the least recently used pictures until at most ``max_files`` and ``max_bytes`` remain.
    Only names this cache writes are counted or removed."""
    kept = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if NAMES.fullmatch(entry.name):
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    kept.append((info.st_mtime, info.st_size, entry.name))
    total = sum(size for _, size, _ in kept)
    if len(kept) <= max_files and total <= max_bytes:
        return 0
    kept.sort()
    removed = 0
    for _, size, name in kept:
        if len(kept) - removed <= max_files and total <= max_bytes:
            break
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))
        total -= size
        removed += 1
    return removed
