"""Where the room's server spends its CPU, for ``bench/bench_room.py`` (off unless the
environment variable ``DPMKIT_ROOM_PROFILE`` names a file).

A sampler thread looks at every thread's Python stack every few milliseconds
(``sys._current_frames``; py-spy is not available here, and cProfile sees one thread while
Solara renders pages in worker threads). A thread waiting (on a lock, a queue, the event
loop's ``select``) is not counted. Each function is counted once per sample in which it is
on a busy thread's stack (inclusive), and the report lists the largest shares.
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time

__all__ = ["Sampler"]

_WAITING = {"collect", "wait", "select", "poll", "epoll", "_wait_for_tstate_lock", "acquire", "sleep", "get", "accept",
            "readline", "recv_into", "_worker"}


_PLUMBING = ("threading.py:", "base_events.py:", "events.py:", "runners.py:", "_asyncio.py:", "_eventloop.py:",
             "patch.py:", "_compat.py:", "starlette.py:", "server.py:run", "server.py:serve", "server.py:app_loop",
             "thread.py:", "to_thread.py:", "profiling.py:")


class Sampler:
    def __init__(self, path, every=0.005):
        self.path, self.every = path, every
        self.busy = 0
        self.samples = 0
        self.counts = collections.Counter()
        self.leaves = collections.Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="dpmkit-room-sampler", daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _run(self):
        me = threading.get_ident()
        written = time.monotonic()
        while not self.stop.wait(self.every):
            if time.monotonic() - written > 2:  # uvicorn ends the process on SIGTERM: keep the file current
                self._write()
                written = time.monotonic()
            self.samples += 1
            for ident, frame in sys._current_frames().items():
                if ident == me or frame.f_code.co_name in _WAITING:
                    continue
                self.busy += 1
                self.leaves[f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_code.co_name}"] += 1
                seen = set()
                while frame is not None:
                    code = frame.f_code
                    key = f"{os.path.basename(code.co_filename)}:{code.co_name}"
                    if key not in seen:
                        seen.add(key)
                        self.counts[key] += 1
                    frame = frame.f_back

    def write(self):
        """Stop sampling and write the report."""
        self.stop.set()
        self.thread.join(timeout=5)
        self._write()

    def _write(self, top=30):
        busy = max(self.busy, 1)
        lines = [f"{self.samples} samples every {self.every * 1000:.0f} ms; {self.busy} busy thread-samples "
                 f"(~{self.busy * self.every:.1f} s of busy Python)",
                 "functions on a busy stack (inclusive share; threads, event loop and server plumbing left out):"]
        shown = [(k, n) for k, n in self.counts.most_common() if not k.startswith(_PLUMBING)]
        lines += [f"{100 * n / busy:6.1f}%  {key}" for key, n in shown[:top]]
        lines.append("where the busy stacks ended (exclusive share):")
        lines += [f"{100 * n / busy:6.1f}%  {key}" for key, n in self.leaves.most_common(top // 2)]
        tmp = f"{self.path}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(tmp, self.path)
