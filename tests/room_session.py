"""Start ``python -m dpmkit.room`` for a test or a benchmark, on 127.0.0.1 only.

The room runs in its own process group with a watchdog; it is stopped (or killed
with SIGKILL, to test a crash) on the way out. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_room_requirements():
    """Why the room cannot be served here, or None."""
    try:
        import segno  # noqa: F401
        import solara  # noqa: F401
    except ModuleNotFoundError as err:
        return f"{err.name} is missing: pip install -e '.[room]' (the test extra includes it)"
    return None


class RoomProcess:
    def __init__(self, proc, lines, log):
        self.proc, self.lines, self.log = proc, lines, log

    def line(self, prefix):
        return next(line for line in self.lines if line.startswith(prefix))

    @property
    def participants(self):
        return self.line("Participants:").split(None, 1)[1].strip()

    @property
    def facilitator(self):
        return self.line("Facilitator:").split(None, 1)[1].strip()

    @property
    def port(self):
        return int(self.base.rsplit(":", 1)[1])

    @property
    def base(self):
        return self.participants.split("/?")[0]

    def kill(self, sig=signal.SIGTERM):
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)


def offline(context, outside):
    """Let a browser context reach only this machine; every other request is aborted and noted."""
    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "https://127.0.0.1:", "wss://127.0.0.1:", "data:",
                           "blob:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    context.route("**/*", route)


@contextmanager
def room(folder, *args, port=None, startup_timeout=90, hard_limit=600, code_root=None, blocked=()):
    """Run the room on ``folder``; yield a :class:`RoomProcess` once it printed its links.

    ``code_root``: run the kit found there instead of this checkout's (a benchmark's "before").
    ``blocked``: signals the room's processes never receive (blocked in the supervisor, whose mask
    its room inherits), e.g. SIGTERM, to have a Linux room stop as a Windows one must."""
    port = port or free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(code_root or ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONUNBUFFERED"] = "1"
    cmd = [sys.executable, "-m", "dpmkit.room", "--folder", str(folder), "--port", str(port),
           "--host", "127.0.0.1", "--no-browser", *args]
    preexec = (lambda: signal.pthread_sigmask(signal.SIG_BLOCK, blocked)) if blocked else None
    proc = subprocess.Popen(cmd, cwd=folder.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True, preexec_fn=preexec)
    lines, log = [], []

    def read():
        for line in proc.stdout:
            log.append(line)
            lines.append(line.strip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    running = RoomProcess(proc, lines, log)
    watchdog = threading.Timer(hard_limit, running.kill, args=(signal.SIGKILL,))
    watchdog.daemon = True
    watchdog.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not any(line.startswith("Facilitator:") for line in lines):
            if proc.poll() is not None:
                time.sleep(0.2)
                raise RuntimeError(f"the room exited with code {proc.returncode}:\n{''.join(log)[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the room did not start within {startup_timeout} s:\n{''.join(log)[-3000:]}")
            time.sleep(0.1)
        yield running
    finally:
        watchdog.cancel()
        running.kill()
        reader.join(timeout=10)
        proc.stdout.close()
