"""How many live pages the room keeps: per device, in all, and how fast a device may open new ones.

Every browser page of the room is one Solara "virtual kernel", created when the page's
kernel connection (``/jupyter/api/kernels/<id>/channels``) names an id the room has not
seen. Solara keeps a kernel for the cull timeout (two hours in the room) after its page
disconnects, so that a participant whose wifi drops finds their page as they left it. Nothing
in Solara bounds how many kernels one visitor makes: a script opening connection after
connection with new ids would fill the facilitator's laptop with kernels for two hours. The
room's guard (:mod:`dpmkit.room.server`) asks a :class:`PageLimits` before each new kernel:

- **per device** (one client address) at most ``per_device`` live pages: over it, the device's
  oldest *disconnected* pages are closed to make room (a participant reloading on a phone
  never locks themself out); only a device holding that many pages open at once is refused;
- **in all** at most ``total`` live pages, made room for the same way, oldest disconnected first;
- **per minute** at most ``per_minute`` new pages from one device (a reload storm is a few; a
  script is thousands).

The laptop's own addresses (``127.0.0.1``, ``::1``) are exempt from the per-device and
per-minute bounds, not from the total: the facilitator's dashboard and projector and a benchmark
connect from there. Behind JupyterHub's proxy every student arrives from there too; a room started
with ``--behind-proxy`` then tells each device by the address the proxy adds to the connection
(:func:`device_of`), so each student is held to the per-device bounds.

Refused connections are closed before the websocket is accepted (the browser sees HTTP 403);
the facilitator's console says why, at most once a minute for each kind of refusal
(:data:`REFUSALS`: a device over its limit, a device too fast, the room full).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

from .. import words

__all__ = ["Admission", "PageLimits", "DEFAULT_PER_DEVICE", "DEFAULT_TOTAL", "REFUSALS", "device_of"]

#: A participant's page, the game's table page, a projector view, reloads: eight is plenty.
DEFAULT_PER_DEVICE = 8
#: About 1.2 MB each on a warm room: 50 pages, every one drawn, held 0.25 GB in all (``bench/bench_room.py
#: --participants 50 --arrive-over 30``, 2026-12-05), so 200 pages are about 0.4 GB.
DEFAULT_TOTAL = 200
_MAX_DEVICES_KEPT = 1000


#: The laptop's own addresses (as uvicorn reports a client's address).
LAPTOP = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})


def device_of(scope, behind_proxy=0):
    """The device a connection comes from: its peer address, from an ASGI ``scope``.

    ``behind_proxy`` is the number of proxies on this machine the room is reached through (True:
    one, as JupyterHub's; 2 for nginx in front of the hub's proxy). Each proxy appends the address
    it was reached from to the ``X-Forwarded-For`` header, so a connection from this machine is told
    by the address the first proxy added, the ``behind_proxy``-th from the end: the browser cannot
    choose it (anything it sends itself stands before it), and the addresses after it are the
    proxies' own. A connection from this machine with fewer addresses did not come through every
    proxy (a process on the hub machine, such as a student's own server, reaching the room's port
    directly): it is one device, ``"127.0.0.1 (not through the proxy)"``, held to the per-device
    bounds like any other, not exempt as the laptop's own pages are. Without ``behind_proxy`` the
    header is never read, since any browser can send one; and a connection from another machine
    is never taken at its header's word."""
    hops = int(behind_proxy or 0)
    peer = str((scope.get("client") or ("?",))[0])
    if hops < 1 or peer not in LAPTOP:
        return peer
    forwarded = b",".join(value for name, value in scope.get("headers") or () if name.lower() == b"x-forwarded-for")
    entries = forwarded[-100 * hops:].decode("latin-1").split(",")  # bounded: a header can be long
    chosen = entries[-hops].strip() if forwarded and len(entries) >= hops else ""
    try:
        address = ipaddress.ip_address(chosen)
        return str(getattr(address, "ipv4_mapped", None) or address)  # ::ffff:10.0.0.7 is 10.0.0.7
    except ValueError:  # no address the proxy wrote
        return f"{peer} (not through the proxy)"


#: The kinds of refusal: a device over its page limit, a device opening pages too fast, the room full.
REFUSALS = ("device", "rate", "room")


class Admission(NamedTuple):
    """What :meth:`PageLimits.admit` decided about one new connection.

    ``kind`` is None when the connection may go on, else one of :data:`REFUSALS`; ``reason`` is
    the console's words for a refusal; ``to_close`` names the disconnected pages to close to
    make room (the caller closes them)."""

    allowed: bool
    kind: str | None = None
    reason: str | None = None
    to_close: tuple = ()


@dataclass
class _Page:
    device: str
    open: int = 0
    seen: float = field(default_factory=time.monotonic)


class PageLimits:
    """The bounds above, kept in one place. Thread-safe; every call is O(pages)."""

    def __init__(self, per_device=DEFAULT_PER_DEVICE, total=DEFAULT_TOTAL, per_minute=None, clock=time.monotonic):
        if int(per_device) < 1 or int(total) < 1:
            raise ValueError("the page limits must be at least 1")
        self.per_device = int(per_device)
        self.total = int(total)
        self.per_minute = int(per_minute) if per_minute is not None else 4 * self.per_device
        self.clock = clock
        self.pages: dict[str, _Page] = {}
        self.starts: dict[str, deque] = {}
        self.lock = threading.Lock()
        self.warned = {}

    def admit(self, kernel_id, device, live):
        """Whether a connection from ``device`` to the kernel ``kernel_id`` may go on.

        ``live`` is the set of kernel ids the server still holds (pages it closed or culled
        are forgotten here). Returns an :class:`Admission`: its ``kind`` (not its words) says which
        limit refused the connection, for :meth:`should_warn`."""
        device = device or "?"
        now = self.clock()
        with self.lock:
            for gone in [k for k, p in self.pages.items() if p.open == 0 and k not in live]:
                del self.pages[gone]
            if kernel_id in self.pages or kernel_id in live:  # a page reconnecting to its kernel
                self.pages.setdefault(kernel_id, _Page(device))
                return Admission(True)
            exempt = device in LAPTOP
            if len(self.starts) > _MAX_DEVICES_KEPT:  # many addresses (IPv6 can rotate): forget the quiet ones
                for quiet in [d for d, times in self.starts.items() if not times or now - times[-1] > 60]:
                    del self.starts[quiet]
            if not exempt:
                recent = self.starts.setdefault(device, deque())
                while recent and now - recent[0] > 60:
                    recent.popleft()
                if len(recent) >= self.per_minute:
                    return Admission(False, "rate",
                                     f"{device} opened {words.count(len(recent), 'new page')} in the last minute")
            to_close = []
            if not exempt:
                mine = [k for k, p in self.pages.items() if p.device == device]
                extra = len(mine) - self.per_device + 1
                if extra > 0:
                    chosen = self._idle(mine, extra)
                    if chosen is None:
                        return Admission(False, "device", f"{device} already has {words.count(len(mine), 'page')} open")
                    to_close += chosen
            extra = len(self.pages) - len(to_close) - self.total + 1
            if extra > 0:
                chosen = self._idle([k for k in self.pages if k not in to_close], extra)
                if chosen is None:
                    full = words.count(len(self.pages), "page")
                    return Admission(False, "room", f"the room is full: {full} open (--max-pages {self.total})")
                to_close += chosen
            for k in to_close:
                del self.pages[k]
            self.pages[kernel_id] = _Page(device, seen=now)
            if not exempt:
                self.starts[device].append(now)
            return Admission(True, to_close=tuple(to_close))

    def _idle(self, ids, count):
        """The ``count`` longest-disconnected pages among ``ids``, or None when there are fewer."""
        idle = sorted((self.pages[k].seen, k) for k in ids if self.pages[k].open == 0)
        return [k for _, k in idle[:count]] if len(idle) >= count else None

    def opened(self, kernel_id, device):
        with self.lock:
            page = self.pages.setdefault(kernel_id, _Page(device or "?"))
            page.open += 1
            page.seen = self.clock()

    def closed(self, kernel_id):
        with self.lock:
            page = self.pages.get(kernel_id)
            if page is not None:
                page.open = max(0, page.open - 1)
                page.seen = self.clock()

    def should_warn(self, kind):
        """True at most once a minute for each ``kind`` of refusal (one of :data:`REFUSALS`, as
        :meth:`admit` names it), for the facilitator's console line. Keyed on the kind, not on a
        device's address: a visitor rotating addresses cannot flood the console (or this dict)."""
        if kind not in REFUSALS:
            raise ValueError(f"unknown kind of refusal {kind!r}: expected one of {', '.join(REFUSALS)}")
        now = self.clock()
        with self.lock:
            last = self.warned.get(kind)
            if last is not None and now - last < 60:
                return False
            self.warned[kind] = now
            return True
