"""A visitor cannot fill the room's laptop with pages: each new page (a Solara kernel) must fit
in the room's limits per device, in all and per minute, and a device's longest-disconnected
pages are closed to make room before anyone is refused.

The first tests hold :class:`dpmkit.room.limits.PageLimits` to its rules with a hand-turned
clock; the last ones start a real room with small limits and open real kernel connections
from other loopback addresses (127.0.0.2, 127.0.0.3: other "devices" on this machine)."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import uuid

import pytest
from room_session import ROOT, missing_room_requirements, room
from widget_tree import wait_for

from dpmkit.room.limits import LAPTOP, PageLimits, device_of


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def open_page(limits, kernel_id, device, live):
    admission = limits.admit(kernel_id, device, live)
    if admission.allowed:
        live -= set(admission.to_close)
        live.add(kernel_id)
        limits.opened(kernel_id, device)
    return admission


def test_a_device_over_its_limit_closes_its_longest_disconnected_page_first():
    clock, live = Clock(), set()
    limits = PageLimits(per_device=3, total=100, clock=clock)
    for k in "abc":
        clock.now += 1
        assert open_page(limits, k, "10.0.0.5", live)[0]
    refused = limits.admit("d", "10.0.0.5", live)
    assert refused[:3] == (False, "device", "10.0.0.5 already has 3 pages open")
    clock.now += 1
    limits.closed("b")  # b's tab is closed first, then a's
    clock.now += 1
    limits.closed("a")
    admission = open_page(limits, "d", "10.0.0.5", live)
    assert admission.allowed and admission.to_close == ("b",)
    # Another device is not touched by this one's limit, and a page coming back to its own
    # kernel is always let in, even at the limit.
    assert open_page(limits, "x", "10.0.0.6", live) == (True, None, None, ())
    assert limits.admit("a", "10.0.0.5", live) == (True, None, None, ())



def test_a_limit_of_one_page_is_said_in_the_singular():
    """The console line and the refusal say "1 page open", not "1 pages open" (a room started
    with --max-pages 1 or --max-pages-per-device 1 to try the limits, the day before)."""
    clock, live = Clock(), set()
    limits = PageLimits(per_device=1, total=1, per_minute=1, clock=clock)
    assert open_page(limits, "a", "10.0.0.5", live)[0]
    assert limits.admit("b", "10.0.0.5", live)[2] == "10.0.0.5 opened 1 new page in the last minute"
    clock.now += 61
    assert limits.admit("b", "10.0.0.5", live)[2] == "10.0.0.5 already has 1 page open"
    assert limits.admit("c", "10.0.0.6", live)[2] == "the room is full: 1 page open (--max-pages 1)"

def test_the_room_limit_closes_the_longest_disconnected_page_of_any_device():
    clock, live = Clock(), set()
    limits = PageLimits(per_device=5, total=4, clock=clock)
    for k, device in zip("abcd", ["10.0.0.1", "10.0.0.2", "10.0.0.2", "127.0.0.1"]):
        clock.now += 1
        assert open_page(limits, k, device, live)[0]
    refused = limits.admit("e", "10.0.0.3", live)
    assert refused[:3] == (False, "room", "the room is full: 4 pages open (--max-pages 4)")
    limits.closed("c")
    clock.now += 1
    limits.closed("a")
    assert open_page(limits, "e", "10.0.0.3", live).to_close == ("c",)


def test_the_laptop_itself_is_not_held_to_the_per_device_or_per_minute_limits():
    clock, live = Clock(), set()
    limits = PageLimits(per_device=2, total=40, per_minute=3, clock=clock)
    for k in range(30):  # thirty participants simulated from the facilitator's laptop (the benchmark)
        assert open_page(limits, f"k{k}", "127.0.0.1", live)[:2] == (True, None)
    assert open_page(limits, "ipv6", "::1", live).allowed


def test_a_device_opening_new_pages_fast_is_refused_for_a_minute():
    clock, live = Clock(), set()
    limits = PageLimits(per_device=2, total=100, per_minute=5, clock=clock)
    for k in range(5):  # a reload storm: open, close, open, close ...
        clock.now += 1
        assert open_page(limits, f"k{k}", "10.0.0.9", live)[0]
        limits.closed(f"k{k}")
    refused = limits.admit("k5", "10.0.0.9", live)
    assert refused[:3] == (False, "rate", "10.0.0.9 opened 5 new pages in the last minute")
    clock.now += 57  # 61 s after the first
    assert open_page(limits, "k5", "10.0.0.9", live).allowed
    assert PageLimits(per_device=3).per_minute == 12


def test_the_per_minute_counts_of_quiet_devices_are_forgotten():
    clock, live = Clock(), set()
    limits = PageLimits(per_device=2, total=5000, clock=clock)
    for k in range(1500):  # a visitor rotating addresses (IPv6 privacy addresses can)
        open_page(limits, f"k{k}", f"2001:db8::{k:x}", live)
        limits.closed(f"k{k}")
    assert len(limits.starts) == 1500
    clock.now += 61
    assert open_page(limits, "late", "10.0.0.1", live).allowed
    assert list(limits.starts) == ["10.0.0.1"]


def test_pages_the_server_has_closed_no_longer_count():
    clock, live = Clock(), set()
    limits = PageLimits(per_device=2, total=100, clock=clock)
    for k in "ab":
        open_page(limits, k, "10.0.0.4", live)
        limits.closed(k)
    live.clear()  # Solara culled both kernels
    admission = limits.admit("c", "10.0.0.4", live)
    assert admission.allowed and admission.to_close == ()
    assert set(limits.pages) == {"c"}


def test_the_console_is_warned_once_a_minute_for_each_kind_of_refusal_whatever_its_words():
    clock, live = Clock(), set()
    limits = PageLimits(per_device=1, total=3, per_minute=2, clock=clock)
    assert open_page(limits, "a", "10.0.0.1", live).allowed
    assert open_page(limits, "b", "10.0.0.2", live).allowed
    # Two devices over their limit in the same minute: one "device" line, whichever address
    # the words begin with (the old rule took the first word of the words as the kind).
    kinds = [limits.admit(k, device, live).kind for k, device in [("c", "10.0.0.1"), ("d", "10.0.0.2")]]
    assert kinds == ["device", "device"]
    assert [limits.should_warn(kind) for kind in kinds] == [True, False]
    # The other kinds have their own minute.
    assert open_page(limits, "e", "127.0.0.1", live).allowed
    assert limits.admit("f", "10.0.0.3", live).kind == "room"
    assert limits.should_warn("room") and limits.should_warn("rate")
    assert not limits.should_warn("room")
    clock.now += 61
    assert limits.should_warn("device")
    with pytest.raises(ValueError, match="unknown kind of refusal 'the'"):
        limits.should_warn("the")


def _scope(peer, *forwarded):
    headers = [(b"x-forwarded-for", f.encode()) for f in forwarded]
    return {"type": "websocket", "client": (peer, 50000), "headers": headers}


def test_behind_a_proxy_a_device_is_the_address_the_proxy_added_and_nothing_a_browser_can_choose():
    # the hub's proxy appends the address it saw: whatever the browser sent stands before it
    assert device_of(_scope("127.0.0.1", "10.0.0.5"), behind_proxy=True) == "10.0.0.5"
    assert device_of(_scope("127.0.0.1", "6.6.6.6, 10.0.0.5"), behind_proxy=True) == "10.0.0.5"
    assert device_of(_scope("127.0.0.1", "6.6.6.6", "10.0.0.5"), behind_proxy=True) == "10.0.0.5"
    assert device_of(_scope("::1", "::ffff:10.0.0.7"), behind_proxy=True) == "10.0.0.7"
    # without the flag, or from another machine, the header is never believed
    assert device_of(_scope("127.0.0.1", "10.0.0.5")) == "127.0.0.1"
    assert device_of(_scope("10.0.0.9", "127.0.0.1"), behind_proxy=True) == "10.0.0.9"
    # from this machine but not through the proxy (no address, or one it did not write): one device,
    # not the laptop, so it is held to the per-device limits
    for scope in (_scope("127.0.0.1"), _scope("127.0.0.1", "localhost"), _scope("127.0.0.1", "1" * 10_000)):
        device = device_of(scope, behind_proxy=True)
        assert device == "127.0.0.1 (not through the proxy)" and device not in LAPTOP
    limits = PageLimits(per_device=1, total=10)
    assert limits.admit("a", device_of(_scope("127.0.0.1"), True), live=set()).allowed
    limits.opened("a", device_of(_scope("127.0.0.1"), True))
    assert not limits.admit("b", device_of(_scope("127.0.0.1"), True), live={"a"}).allowed


def test_limits_below_one_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        PageLimits(per_device=0)
    out = subprocess.run([sys.executable, "-m", "dpmkit.room", "--folder", "x", "--max-pages", "none"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 2 and "'none' is not a whole number of pages of at least 1" in out.stderr


# -- a real room, real kernel connections from other addresses --

REASON = missing_room_requirements()
needs_server = pytest.mark.skipif(REASON is not None, reason=f"ROOM SERVER MISSING: {REASON}")


@pytest.fixture(scope="module")
def small_room(tmp_path_factory):
    folder = tmp_path_factory.mktemp("room") / "ballots"
    with room(folder, "--code", "LIMIT", "--max-pages-per-device", "2", "--max-pages", "4") as r:
        yield r


def _message(msg_type):
    session = uuid.uuid4().hex
    return json.dumps({
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "x",
                   "date": "2026-12-03T12:00:00+00:00", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell", "buffers": [],
    })


class Page:
    """A kernel connection as a browser page makes it, from ``device`` (a 127.x.y.z address)."""

    def __init__(self, running, device, kernel_id=None):
        self.running, self.device = running, device
        self.kernel_id = kernel_id or str(uuid.uuid4())
        self.ws = None

    def connect(self):
        """Connect and ask the kernel for its information: ``"kernel"`` when a kernel answered,
        ``"refused"`` when the room refused the connection, else the first text the server sent."""
        from websockets.exceptions import InvalidStatus
        from websockets.sync.client import connect

        sock = socket.socket()
        sock.bind((self.device, 0))
        sock.settimeout(20)
        sock.connect(("127.0.0.1", self.running.port))
        url = (f"ws://127.0.0.1:{self.running.port}/jupyter/api/kernels/{self.kernel_id}/channels"
               f"?session_id={uuid.uuid4()}")
        self.stack = contextlib.ExitStack()
        try:
            self.ws = self.stack.enter_context(connect(url, sock=sock, open_timeout=20, close_timeout=5))
        except InvalidStatus as err:
            sock.close()
            assert err.response.status_code == 403
            return "refused"
        self.ws.send(_message("kernel_info_request"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            frame = self.ws.recv(timeout=20)
            if isinstance(frame, bytes):
                continue
            try:
                kind = json.loads(frame).get("header", {}).get("msg_type")
            except json.JSONDecodeError:
                return frame  # Solara's own words, e.g. a session mismatch
            if kind == "kernel_info_reply":
                return "kernel"
        raise AssertionError("no answer from the room")

    def leave(self):
        self.stack.close()
        self.ws = None


def probe(running, device, kernel_id=None):
    """Connect once from ``device`` (to ``kernel_id`` or a new kernel), say what answered, leave."""
    page = Page(running, device, kernel_id)
    answer = page.connect()
    if page.ws is not None:
        page.leave()
    return answer


@needs_server
def test_a_device_cannot_open_more_pages_than_its_limit_and_others_still_join(small_room):
    a, b = Page(small_room, "127.0.0.2"), Page(small_room, "127.0.0.2")
    assert a.connect() == "kernel" and b.connect() == "kernel"
    assert probe(small_room, "127.0.0.2") == "refused"
    wait_for(lambda: any("refused a new page: 127.0.0.2 already has 2 pages open" in line
                         for line in small_room.lines), 30, "the line on the facilitator's console")
    other = Page(small_room, "127.0.0.3")
    assert other.connect() == "kernel"  # another device is not held back by the first one

    # b's tab closes: its kernel stays for a reconnect (a new browser session is told its cookie
    # does not match, so the kernel is still there) ...
    b.leave()
    assert "Session id mismatch" in probe(small_room, "127.0.0.2", b.kernel_id)
    # ... until the device opens a new page over its limit: then b's kernel is closed to make
    # room, and b's id starts afresh (a kernel answers instead of the mismatch).
    c = Page(small_room, "127.0.0.2")
    wait_for(lambda: c.connect() == "kernel", 30, "room for a new page of the device")
    a.leave()
    wait_for(lambda: probe(small_room, "127.0.0.2", b.kernel_id) == "kernel", 30,
             "the disconnected page's kernel to be closed to make room")
    for page in (c, other):
        page.leave()


@needs_server
def test_the_room_refuses_new_pages_only_when_every_page_is_open(small_room):
    pages = [Page(small_room, "127.0.0.1") for _ in range(4)]
    for page in pages:  # the disconnected pages of the test above are closed to make room for these four
        wait_for(lambda page=page: page.connect() == "kernel", 30, "room for a page")
    assert probe(small_room, "127.0.0.1") == "refused"
    wait_for(lambda: any("the room is full: 4 pages open (--max-pages 4)" in line for line in small_room.lines), 30,
             "the 'room is full' line on the facilitator's console")
    pages[0].leave()
    wait_for(lambda: probe(small_room, "127.0.0.1") == "kernel", 30, "a closed page to make room")
    for page in pages[1:]:
        page.leave()


def test_behind_two_proxies_a_device_is_the_address_the_first_proxy_added():
    # nginx in front of the hub's proxy: nginx appends the student's address, the hub's proxy
    # appends nginx's (this machine); what the browser sent stands before both
    assert device_of(_scope("127.0.0.1", "10.0.0.5, 127.0.0.1"), behind_proxy=2) == "10.0.0.5"
    assert device_of(_scope("127.0.0.1", "6.6.6.6, 10.0.0.6, 127.0.0.1"), behind_proxy=2) == "10.0.0.6"
    assert device_of(_scope("127.0.0.1", "10.0.0.5", "127.0.0.1"), behind_proxy=2) == "10.0.0.5"
    # through one proxy only (the hub's, reached directly on this machine): not a student's address
    assert device_of(_scope("127.0.0.1", "127.0.0.1"), behind_proxy=2) == "127.0.0.1 (not through the proxy)"
    assert device_of(_scope("127.0.0.1", "10.0.0.5, 127.0.0.1"), behind_proxy=True) == "127.0.0.1"


@needs_server
def test_a_room_behind_two_proxies_holds_each_student_to_their_own_page_limit(tmp_path):
    """A real room with --behind-proxy 2 and one page per device: two students whose connections
    carry the headers nginx and the hub's proxy write each get their page (counted as one device
    they were both refused after the first), and a second page of the same student is refused."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    stack = contextlib.ExitStack()

    def page(running, forwarded):
        url = (f"ws://127.0.0.1:{running.port}/jupyter/api/kernels/{uuid.uuid4()}/channels"
               f"?session_id={uuid.uuid4()}")
        try:
            ws = stack.enter_context(connect(url, additional_headers={"X-Forwarded-For": forwarded},
                                             open_timeout=20, close_timeout=5))
        except InvalidStatus as err:
            assert err.response.status_code == 403
            return None
        ws.send(_message("kernel_info_request"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            frame = ws.recv(timeout=20)
            if isinstance(frame, str) and json.loads(frame).get("header", {}).get("msg_type") == "kernel_info_reply":
                return ws
        raise AssertionError("no answer from the room")

    with room(tmp_path / "ballots", "--code", "HOPS2", "--behind-proxy", "2", "--max-pages-per-device", "1") as running:
        first = page(running, "10.0.0.5, 127.0.0.1")
        second = page(running, "10.0.0.6, 127.0.0.1")
        again = page(running, "10.0.0.5, 127.0.0.1")
        stack.close()
        assert first is not None and second is not None, "a second student was counted as the first's device"
        assert again is None, "a student's second page over the limit of 1 was let in"
