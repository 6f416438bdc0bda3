"""The kit's one file lock, :func:`dpmkit._files.file_lock`, used by the game folder
(decisions shared, an advance alone) and by the compiled-kernel cache (a kernel in use
shared, its eviction alone).

Each behaviour is checked with real separate processes holding the lock (subprocess), since
that is what the lock is for: an exclusive holder excludes shared and exclusive ones, shared
holders admit each other, ``wait=False`` answers at once, and a holder killed by SIGKILL
releases the lock. Windows (``msvcrt.locking``, exclusive only) cannot run here: only the
choice of mode for it is tested, as a mapping, not as a Windows run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from dpmkit import _files

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(_files.LOCKING != "flock", reason="the lock's processes are tested on POSIX")

# A process that takes the lock, says so, and holds it until its stdin closes (or it is killed).
_HOLDER = """
import sys
from dpmkit._files import file_lock
with file_lock(sys.argv[1], shared=sys.argv[2] == "shared", wait=sys.argv[3] == "wait") as held:
    print("held" if held else "refused", flush=True)
    sys.stdin.read()
"""


class Holder:
    """A separate process asking for the lock; ``answer`` is what it said ("held", "refused"),
    or None if it has said nothing within ``within`` seconds (it is waiting)."""

    def __init__(self, path, kind, wait=True):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), kind, "wait" if wait else "try"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self._lines = []
        self._said = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        line = self.proc.stdout.readline()
        self._lines.append(line.strip())
        self._said.set()

    def answer(self, within):
        self._said.wait(within)
        return self._lines[0] if self._lines else None

    def release(self):
        self.proc.stdin.close()
        assert self.proc.wait(timeout=60) == 0

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=60)
        assert self.proc.returncode == -signal.SIGKILL

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=60)
        for stream in (self.proc.stdin, self.proc.stdout):
            if not stream.closed:
                with contextlib.suppress(OSError):
                    stream.close()


@pytest.fixture
def holders():
    made = []

    def make(*args, **kwargs):
        made.append(Holder(*args, **kwargs))
        return made[-1]

    yield make
    for h in made:
        h.cleanup()


# a process starts python and imports dpmkit in well under this, even on a loaded machine
STARTED = 120
# how long a process asking for a lock held by another is watched, to see that it waits
WATCHED = 1.5


@pytest.mark.parametrize("second", ["shared", "exclusive"])
def test_an_exclusive_holder_excludes_shared_and_exclusive_holders(tmp_path, holders, second):
    lock = tmp_path / "x.lock"
    first = holders(lock, "exclusive")
    assert first.answer(STARTED) == "held"
    waiting = holders(lock, second)
    assert waiting.answer(WATCHED) is None  # still waiting for the lock
    assert waiting.proc.poll() is None
    first.release()
    assert waiting.answer(STARTED) == "held"  # it gets the lock once the first lets go
    waiting.release()


def test_shared_holders_admit_each_other_and_exclude_an_exclusive_one(tmp_path, holders):
    lock = tmp_path / "x.lock"
    a = holders(lock, "shared")
    assert a.answer(STARTED) == "held"
    b = holders(lock, "shared")
    assert b.answer(STARTED) == "held"  # both hold it at once
    alone = holders(lock, "exclusive")
    assert alone.answer(WATCHED) is None
    a.release()
    assert alone.answer(WATCHED) is None  # one shared holder is left
    b.release()
    assert alone.answer(STARTED) == "held"
    alone.release()


@pytest.mark.parametrize("first,second", [("exclusive", "shared"), ("exclusive", "exclusive"),
                                          ("shared", "exclusive")])
def test_without_waiting_a_refused_lock_answers_false_at_once(tmp_path, holders, first, second):
    lock = tmp_path / "x.lock"
    holder = holders(lock, first)
    assert holder.answer(STARTED) == "held"
    asker = holders(lock, second, wait=False)
    assert asker.answer(STARTED) == "refused"  # it answered without waiting for the holder
    assert asker.proc.poll() is None and holder.proc.poll() is None  # the holder still holds it
    asker.release()
    # in this process too: False, and the block runs without the lock
    with _files.file_lock(lock, shared=second == "shared", wait=False) as held:
        assert held is False
    holder.release()
    with _files.file_lock(lock, wait=False) as held:
        assert held is True


def test_shared_without_waiting_is_admitted_beside_a_shared_holder(tmp_path, holders):
    lock = tmp_path / "x.lock"
    holder = holders(lock, "shared")
    assert holder.answer(STARTED) == "held"
    with _files.file_lock(lock, shared=True, wait=False) as held:
        assert held is True
    holder.release()


@pytest.mark.parametrize("kind", ["shared", "exclusive"])
def test_a_holder_killed_by_sigkill_releases_the_lock(tmp_path, holders, kind):
    lock = tmp_path / "x.lock"
    holder = holders(lock, kind)
    assert holder.answer(STARTED) == "held"
    waiting = holders(lock, "exclusive")
    assert waiting.answer(WATCHED) is None
    holder.kill()  # no release, no cleanup code runs: the operating system lets go
    assert waiting.answer(STARTED) == "held"
    waiting.release()
    assert lock.exists()  # the lock file stays; nothing to clean up after a kill


def test_threads_of_one_process_exclude_each_other(tmp_path):
    lock = tmp_path / "x.lock"
    got = []

    def ask():
        with _files.file_lock(lock, wait=False) as other_held:
            got.append(other_held)

    with _files.file_lock(lock) as held:
        assert held is True
        other = threading.Thread(target=ask)
        other.start()
        other.join(timeout=60)
    assert got == [False]


def test_a_lock_file_removed_by_its_holder_is_opened_again(tmp_path, holders):
    """The kernel cache's eviction deletes the lock file while holding it: one waiting for
    it then holds the new file at the path, never the deleted one."""
    lock = tmp_path / "x.lock"
    seen = []
    with _files.file_lock(lock) as held:
        assert held

        def wait_then_note():
            with _files.file_lock(lock, shared=True) as got:
                seen.append((got, lock.exists()))
                # a third holder at the path excludes this one: it holds the file at the path
                third = holders(lock, "exclusive", wait=False)
                seen.append(third.answer(STARTED))
                third.release()

        thread = threading.Thread(target=wait_then_note)
        thread.start()
        thread.join(timeout=WATCHED)
        assert thread.is_alive()  # waiting
        os.unlink(lock)  # the last thing the holder does
    thread.join(timeout=STARTED)
    assert not thread.is_alive()
    (got, exists), third = seen
    assert got is True and exists and third == "refused"


def test_a_lock_file_that_is_not_a_plain_file_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("")
    link = tmp_path / "link.lock"
    link.symlink_to(target)
    with pytest.raises(OSError), _files.file_lock(link):  # a link is never followed
        pass
    fifo = tmp_path / "fifo.lock"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a plain file"), _files.file_lock(fifo):
        pass


def test_an_error_in_the_block_is_the_blocks_own_and_releases_the_lock(tmp_path, holders):
    lock = tmp_path / "x.lock"
    with pytest.raises(KeyError), _files.file_lock(lock):
        raise KeyError("inside")
    with _files.file_lock(lock, wait=False) as held:
        assert held is True


def test_the_lock_file_is_created_with_the_mode_asked(tmp_path):
    old = os.umask(0o022)
    try:
        with _files.file_lock(tmp_path / "a.lock"):
            pass
        with _files.file_lock(tmp_path / "b.lock", mode=0o640):
            pass
    finally:
        os.umask(old)
    assert (tmp_path / "a.lock").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "b.lock").stat().st_mode & 0o777 == 0o640


def test_the_mode_each_platform_is_asked_for():
    """The mapping only (Windows itself is not run here): flock has shared and exclusive locks
    and waits in the kernel; msvcrt has only exclusive locks, so a shared lock is exclusive
    there, and waiting is polling (msvcrt's own waiting mode gives up after ten tries)."""
    plan = _files._lock_plan
    assert plan(shared=True, wait=True, locking="flock") == ("shared", "block")
    assert plan(shared=False, wait=True, locking="flock") == ("exclusive", "block")
    assert plan(shared=True, wait=False, locking="flock") == ("shared", "try")
    assert plan(shared=False, wait=False, locking="flock") == ("exclusive", "try")
    assert plan(shared=True, wait=True, locking="msvcrt") == ("exclusive", "poll")
    assert plan(shared=False, wait=True, locking="msvcrt") == ("exclusive", "poll")
    assert plan(shared=True, wait=False, locking="msvcrt") == ("exclusive", "try")
    assert plan(shared=False, wait=False, locking="msvcrt") == ("exclusive", "try")
    with pytest.raises(ValueError, match="unknown locking"):
        plan(shared=True, wait=True, locking="lockf")
