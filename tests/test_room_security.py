"""What a participant cannot do in the room: reach the facilitator's pages without the secret,
use the server's contents, kernels, sessions or terminals APIs, or run code of their own
over their page's kernel connection. Every request goes to 127.0.0.1 only."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone

import pytest
from room_session import missing_room_requirements, room

REASON = missing_room_requirements()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"ROOM SERVER MISSING: {REASON}")


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    folder = tmp_path_factory.mktemp("room") / "ballots"
    with room(folder, "--code", "TEAL7") as r:
        r.folder = folder
        yield r


def status(url, method="GET", data=None):
    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(url, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def test_the_pages_answer_and_the_facilitator_page_needs_the_secret(running):
    assert status(f"{running.base}/")[0] == 200
    assert status(running.participants)[0] == 200
    assert status(running.facilitator)[0] == 200
    secret = running.facilitator.split("secret=")[1]
    for url in (f"{running.base}/facilitator", f"{running.base}/facilitator?secret=",
                f"{running.base}/facilitator?secret={secret[:-1]}", f"{running.base}/facilitator?code=TEAL7"):
        code, body = status(url)
        assert code == 403 and secret not in body


@pytest.mark.parametrize("path", [
    "/api/contents", "/api/contents/dpmkit-room.json", "/api/kernels", "/api/sessions", "/api/terminals",
    "/api/kernelspecs", "/jupyter/api/kernels/abc", "/jupyter/api/contents", "/files/dpmkit-room.json",
    "/dpmkit-room.json", "/tree", "/lab", "/terminals/1", "/static/../dpmkit-room.json", "/resourcez",
    "/_solara/api/evict/abc", "/voila/render/x.ipynb",
])
def test_the_server_apis_are_refused(running, path):
    code, body = status(running.base + path)
    assert code in (403, 404), (path, code, body[:200])
    assert running.facilitator.split("secret=")[1] not in body


@pytest.mark.parametrize("path", ["/api/kernels", "/api/sessions", "/api/terminals", "/api/contents/x.py"])
def test_starting_kernels_terminals_or_writing_files_is_refused(running, path):
    assert status(running.base + path, method="POST", data=b"{}")[0] in (403, 404, 405)


def _message(msg_type, content, session):
    return json.dumps({
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "x",
                   "date": datetime.now(timezone.utc).isoformat(), "version": "5.3"},
        "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": [],
    })


def test_a_handcrafted_execute_request_is_not_run(running, tmp_path):
    from websockets.sync.client import connect

    marker = tmp_path / "ran.txt"
    code = f"open({str(marker)!r}, 'w').write('participant code ran')"
    session = uuid.uuid4().hex
    url = (f"ws://127.0.0.1:{running.port}/jupyter/api/kernels/{uuid.uuid4()}/channels"
           f"?session_id={uuid.uuid4()}")
    replies = []
    with connect(url, open_timeout=20, close_timeout=5) as ws:
        # First show that messages on this connection do reach a kernel, so the refusal below means something.
        ws.send(_message("kernel_info_request", {}, session))
        deadline = time.monotonic() + 20
        while not any(r.get("msg_type") == "kernel_info_reply" for r in replies):
            assert time.monotonic() < deadline, f"no kernel_info_reply; got {replies}"
            replies.append(_header(ws.recv(timeout=20)))
        ws.send(_message("execute_request", {"code": code, "silent": False, "store_history": False,
                                             "user_expressions": {}, "allow_stdin": False}, session))
        try:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                replies.append(_header(ws.recv(timeout=max(0.1, deadline - time.monotonic()))))
        except Exception:  # the room may close the connection: also a refusal
            pass
    time.sleep(0.5)
    assert not marker.exists(), "a participant's code ran on the room's laptop"
    kinds = {r.get("msg_type") for r in replies}
    assert not kinds & {"execute_reply", "execute_result", "stream", "error"}, kinds
    assert status(f"{running.base}/")[0] == 200  # and the room is still up for everyone else


def _header(frame):
    if isinstance(frame, bytes):
        return {"msg_type": "binary"}
    return json.loads(frame).get("header", {})


def _get(url, gzip_ok=True):
    import gzip

    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = answer.read()
        assert int(answer.headers["Content-Length"]) == len(body)
        if answer.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return answer.headers, body.decode("utf-8", "replace")


def test_a_participant_page_has_no_early_load_hints(running):
    """The opt-in preload/modulepreload hints were removed (measured slower to the chart, and one
    hinted page in about thirty stalled): the page carries only what Solara puts in it."""
    import re

    _, page = _get(running.participants)
    assert re.findall(r'<link rel="(?:module)?preload"[^>]*href="([^"]+)"', page) == []


def test_anywidget_is_asked_for_by_its_served_version_and_kept(running):
    """The room's changed anywidget front end has a URL of its own (the version in the page's
    nbextensionHashes, which requirejs appends), is compressed, and is kept by the browser for good;
    asked for without that version (or by another) it is still the changed file, but not kept."""
    import gzip
    import hashlib
    import re

    _, page = _get(running.participants)
    hashes = json.loads(re.search(r"nbextensionHashes\s*=\s*(\{[^}]*\})", page).group(1))
    version = hashes["anywidget/extension"]
    assert re.fullmatch(r"[0-9a-f]{32}", version)
    path = "/jupyter/nbextensions/anywidget/index.js"
    request = urllib.request.Request(f"{running.base}{path}?{version}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        zipped = answer.read()
        assert answer.headers["Content-Encoding"] == "gzip"
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert int(answer.headers["Content-Length"]) == len(zipped)
    body = gzip.decompress(zipped).decode("utf-8")
    assert "AbortSignal.timeout(600000)" in body and "AbortSignal.timeout(2e3)" not in body
    assert len(zipped) < len(body) / 2
    # The version is the served file's: another version of the patch or of anywidget is another URL.
    from solara.server import server

    installed = server._dpmkit_original_nbextension_hash("anywidget/extension") if hasattr(
        server, "_dpmkit_original_nbextension_hash") else server.nbextension_hash("anywidget/extension")
    assert version == hashlib.md5(installed.encode() + b"\0" + body.encode("utf-8")).hexdigest()
    for query, cache in (("", "no-cache"), (f"?{installed}", "no-store"), ("?0123", "no-store")):
        headers, plain = _get(f"{running.base}{path}{query}", gzip_ok=False)
        assert plain == body and headers["Cache-Control"] == cache, query
    # anywidget's other file, served by Solara, checks the same version: kept too.
    headers, _ = _get(f"{running.base}/jupyter/nbextensions/anywidget/extension.js?{version}")
    assert "immutable" in headers["Cache-Control"]
    headers, _ = _get(f"{running.base}/jupyter/nbextensions/anywidget/extension.js?{installed}")
    assert "immutable" not in headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", [
    "/_dpmkit/../dpmkit-room.json", "/_dpmkit/%2e%2e/dpmkit-room.json", "/_dpmkit/jupyterchart-0000.js",
    "/_dpmkit//etc/passwd", "/jupyter/nbextensions/../../dpmkit-room.json",
    "/jupyter/nbextensions/%2e%2e/%2e%2e/dpmkit-room.json", "/_solara/cdn/../../dpmkit-room.json",
])
def test_the_static_routes_refuse_paths_out_of_their_folders(running, path):
    code, body = status(running.base + path)
    assert code in (400, 403, 404), (path, code, body[:200])
    assert '"code"' not in body and "secret" not in body


def test_a_cdn_file_that_is_not_installed_is_not_fetched_from_the_internet(running):
    # Solara's CDN proxy fetches a file it does not have from jsdelivr and stores it: in the room a
    # participant could make the facilitator's laptop go online (and fill its disk). The guard
    # answers 404 at once for anything solara-assets did not install, one path part or several.
    from solara.server import settings

    base = settings.assets.proxy_cache_dir
    installed = next(p for p in base.rglob("*.js") if p.is_file())
    code, _ = status(f"{running.base}/_solara/cdn/{installed.relative_to(base).as_posix()}")
    assert code == 200  # what the pages use still comes from the installed files
    before = set(base.rglob("*"))
    for path in ("left-pad@1.3.0/index.js", "left-pad", "@widgetti/solara-vuetify-app@0.0.1/dist/main.js"):
        code, body = status(f"{running.base}/_solara/cdn/{path}")
        assert (code, body) == (404, "<h1>Not found</h1>"), path  # the guard's answer, not Solara's after a fetch
    assert set(base.rglob("*")) == before  # nothing stored
