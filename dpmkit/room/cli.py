"""``python -m dpmkit.room``: start the room from the command line (``make room`` runs it)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import faulthandler
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path

from .._files import atomic_write, file_lock
from ..errors import ModelError
from ..workshop.store import QR_FILE, ROOM_LOCK
from . import rooms
from .limits import DEFAULT_PER_DEVICE, DEFAULT_TOTAL, PageLimits
from .state import Room, RoomError, table_list

__all__ = ["SWITCH_EXIT", "main", "parser", "lan_addresses", "serve_room", "slips_parser", "start_game", "urls"]



def parser():
    p = argparse.ArgumentParser(
        prog="python -m dpmkit.room",
        description="Serve the kit's apps to every participant's browser from this laptop, offline. "
                    "Participants open the Participants link (or scan the QR code); the facilitator's "
                    "dashboard is at the Facilitator link. Stop with Ctrl+C; start again with the same "
                    "--folder and nothing is lost.")
    p.add_argument("--folder", required=True, type=Path,
                   help="folder for the ballots and the room's settings (created if missing)")
    p.add_argument("--port", type=int, default=8866, help="port to serve on (default 8866)")
    p.add_argument("--host", default="0.0.0.0",
                   help="address to listen on (default 0.0.0.0: every network of this laptop, so "
                        "participants on the same wifi or hotspot can join; 127.0.0.1 for this laptop only)")
    p.add_argument("--code", default=None,
                   help="the room code participants type to join (default: the folder's code, else a new "
                        "five-character one)")
    p.add_argument("--tables", default=None,
                   help="the tables participants choose from: a number (6) or names "
                        "(\"Red,Blue,Green\"); default: the folder's list, else 6")
    p.add_argument("--model", default=None,
                   help="the ready-made model the room explores (default: the room last chosen in the folder, "
                        "else the folder's model, else demo). The facilitator page changes the room while it "
                        "runs (Change the room)")
    # -- the game (issue 13)
    p.add_argument("--game", default=None,
                   help="play a game instead of the explorer: one of the kit's games (surrey, targets_vs_learning, "
                        "attractor); it is kept in the folder and resumed when the room starts again")
    p.add_argument("--context", default=None,
                   help="the game's context, e.g. fragile for the surrey game (default: the game's first)")
    # -- end of the game's part
    p.add_argument("--no-browser", action="store_true", help="do not open the dashboard in this laptop's browser")
    p.add_argument("--base-url", default="",
                   help="serve the room under this path, e.g. /services/dpmkit-room/ as a JupyterHub service "
                        "(see workshops/jupyterhub_config.py); default: the server's root")
    p.add_argument("--public-url", default=None,
                   help="the address participants reach the room at, when it is not this laptop's own "
                        "(e.g. https://hub.example.ac.uk behind JupyterHub); used in the printed links and QR code")
    p.add_argument("--max-pages-per-device", type=_at_least_one, default=DEFAULT_PER_DEVICE, metavar="N",
                   help=f"live pages one device may keep (default {DEFAULT_PER_DEVICE}); over it the device's "
                        "longest-disconnected page is closed, and a device with N pages open at once is refused. "
                        "This laptop's own browser is not counted")
    p.add_argument("--behind-proxy", nargs="?", const=1, default=0, type=_proxies, metavar="N",
                   help="the room is reached through N proxies on this machine (default 1: JupyterHub's; 2 for "
                        "nginx in front of the hub's proxy): tell each device by the address the first proxy adds "
                        "to X-Forwarded-For, so that the per-device limits hold for each student; never set it "
                        "for a room participants reach directly")
    p.add_argument("--max-pages", type=_at_least_one, default=DEFAULT_TOTAL, metavar="N",
                   help=f"live pages the whole room keeps (default {DEFAULT_TOTAL}, about 0.4 GB); raise it for "
                        "a large course")
    p.epilog = ("Paper fallback: python -m dpmkit.room slips --folder DIR writes printable ballot slips and "
                "result charts into DIR/paper/ (see python -m dpmkit.room slips --help).")
    return p


def _room_parser():
    """The options of the room the supervisor runs (see :func:`main`): the public ones and two
    between the supervisor and the room, never typed by anyone."""
    p = parser()
    p.add_argument("--room-data", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    return p


def _proxies(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 9:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of proxies from 1 to 9")
    return value


def _at_least_one(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of pages of at least 1")
    return value


def slips_parser():
    p = argparse.ArgumentParser(
        prog="python -m dpmkit.room slips",
        description="The paper fallback: write a printable ballot slip per round and the result charts "
                    "(SVG and PNG) into DIR/paper/, to print and to reveal if no laptop works. Filled "
                    "slips are typed in on the facilitator's dashboard (Paper slips).")
    p.add_argument("--folder", required=True, type=Path, help="the room's folder (created if missing)")
    p.add_argument("--rounds", default=None, help="rounds to print, e.g. \"1,2,3\" (default: 1 to 3 and the open one)")
    p.add_argument("--copies", type=int, default=2, help="slips per printed page (default 2)")
    p.add_argument("--tables", default=None, help="as for the room: a number or names; default the folder's list")
    p.add_argument("--model", default=None, help="the ready-made model (default: the folder's model, else demo)")
    p.add_argument("--no-charts", action="store_true", help="write the slips only (the charts take a few seconds)")
    return p


def slips(argv):
    from . import paper

    args = slips_parser().parse_args(argv)
    try:
        tables = table_list(args.tables) if args.tables else None
        room = Room(args.folder, model=args.model, tables=tables, reading=True)  # a running room's are its own
        rounds = [r for r in args.rounds.split(",") if r.strip()] if args.rounds else None
        written = paper.write_slips(room, rounds, copies=args.copies)
        if not args.no_charts:
            written += paper.write_result_charts(room, rounds)
    except RoomError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for path in written:
        print(f"Wrote {path}")
    return 0


def lan_addresses():
    """This laptop's IPv4 addresses other than loopback, found without sending anything."""
    found = []
    try:
        for addr in socket.gethostbyname_ex(socket.gethostname())[2]:
            if not addr.startswith("127.") and addr not in found:
                found.append(addr)
    except OSError:
        pass
    return found


def urls(room, host, port, base_url="", public_url=None):
    """``(participant URL, facilitator URL)`` as printed."""
    if public_url:
        base = public_url.rstrip("/")
    else:
        shown = (lan_addresses() or [socket.gethostname()])[0] if host in ("0.0.0.0", "", "::") else host
        base = f"http://{shown}:{port}"
    if base_url.strip("/"):
        base += "/" + base_url.strip("/")
    return f"{base}/?code={room.state.code}", f"{base}/facilitator?secret={room.state.secret}"


def write_qr(url, path):
    """The join link as a PNG QR code at ``path`` (for the projector), written atomically with the
    kit's writer: never through a link a shared folder may hold under that name."""
    import io

    import segno

    png = io.BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=10, border=3)
    path = Path(path)
    return atomic_write(path.parent, path.name, png.getvalue(), names=re.compile(re.escape(path.name)),
                        what="the QR code", temp_prefix=".dpmkit-qr-", mode=0o644)


GAME_FOLDER = "game"
#: Seconds a starting room waits for the folder's lock held by someone else before refusing.
_LOCK_PATIENCE = 1.0


def start_game(room, name, context=None):
    """The room's game in ``FOLDER/game``: resumed if it is there, else started with the room's
    tables, the roles handed out in turn (the facilitator can change them on the game page)."""
    from .. import game as games

    folder = room.folder / GAME_FOLDER
    if (folder / "game.json").exists():
        found = games.load(folder)
        if found.spec.name != name:
            raise RoomError(f"{str(folder)!r} holds the game {found.spec.name!r}, not {name!r}: pass --game "
                            f"{found.spec.name} or choose another folder")
        return found
    found = games.new(folder, name, tables=room.tables, context=context)
    for k, role in enumerate(found.roles):
        found.assign(room.tables[k % len(room.tables)], role)
    return found


def hold_folder(folder):
    """Keep a second room off ``folder`` while this one runs: one room per folder.

    Two rooms on one folder would each keep their own round and tables, overwrite each other's
    settings and QR code, and split the participants between them. The lock is the kit's file
    lock (:func:`dpmkit._files.file_lock`: the operating system's, on :data:`ROOM_LOCK` in the
    folder, never through a link, nothing written), so it goes when this process ends, even
    killed or crashed: a restart is never locked out. Returns a :class:`contextlib.ExitStack`
    holding it, to keep for the room's life; raises :class:`RoomError` when another room holds
    the folder (after :data:`_LOCK_PATIENCE` seconds: a notebook's dashboard asking whether a
    room runs holds the lock for a moment) or the lock file cannot be used."""
    deadline = time.monotonic() + _LOCK_PATIENCE
    while True:
        stack = contextlib.ExitStack()
        try:
            held = stack.enter_context(file_lock(Path(folder) / ROOM_LOCK, wait=False))
        except OSError as err:
            if err.errno in (errno.ELOOP, errno.EINVAL):
                raise RoomError(f"{ROOM_LOCK} in the folder {str(folder)!r} is a link or not a plain file; the room "
                                "follows no links in its folder: delete it and start again") from None
            raise RoomError(f"cannot write in the folder {str(folder)!r}: {err.strerror or err}") from None
        if held:
            return stack
        stack.close()
        # A notebook asking whether a room runs holds the lock for a moment (the time it takes to
        # write the session file): wait that out before calling the folder taken.
        if time.monotonic() >= deadline:
            raise RoomError(f"a room is already running on the folder {str(folder)!r} (perhaps in another window): "
                            "one room per folder. Stop it (Ctrl+C in its window) and start again, or use another "
                            "--folder.")
        time.sleep(0.05)


def port_problem(host, port):
    """What stops the room listening on ``host``:``port``, in a facilitator's words, or None.

    Checked before the room warms up (a few seconds), so a second ``make room`` on the same
    port, a mistyped --host or a port that needs administrator rights is said at once, with what
    to do, instead of uvicorn's "[Errno 98] error while attempting to bind". The socket is set up
    as uvicorn sets its own (address reuse on, so a port a stopped room left waiting is free), and
    on Windows exclusively, where address reuse would let a second server share a port in use."""
    if not 0 < port < 65536:
        return f"--port {port}: a port is a whole number from 1 to 65535 (the default is 8866)."
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if os.name == "nt" and hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            if err.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", None)):
                return (f"port {port} is already in use on this laptop: is the room (or another program) already "
                        f"running, perhaps in another window? Stop it (Ctrl+C in its window), or start this one on "
                        f"another port: --port {port + 1} (make room ROOM_PORT={port + 1}).")
            if err.errno in (errno.EACCES, errno.EPERM):
                return (f"port {port} needs administrator rights on this laptop; use a port above 1024, "
                        "e.g. the default --port 8866.")
            if err.errno == errno.EADDRNOTAVAIL:
                return (f"--host {host} is not an address of this laptop; leave --host out to serve every "
                        "network of this laptop, or use 127.0.0.1 for this laptop only.")
            return f"cannot listen on {host} port {port}: {err.strerror or err}."
    return None


def _stop_quietly(signum, frame):
    raise KeyboardInterrupt


#: The exit code of a room that stopped so that its supervisor starts the room the facilitator chose.
SWITCH_EXIT = 75
_SERVE = "serve-one-room"  # the supervisor's first argument to the room it runs (see main)


def main(argv=None):
    """``python -m dpmkit.room``: the supervisor. It holds the folder (one room per folder), runs
    the room itself as a child process, and when the facilitator changes the room on the
    facilitator page (the room writes the choice into the folder and exits with
    :data:`SWITCH_EXIT`) starts it again, same port, code, secret and tables, with the room
    chosen, checked again against the kit's list. On Ctrl+C or SIGTERM it asks the room to stop
    (:func:`stop_room`: by closing the room's standard input, not by a signal); otherwise it exits
    when the room does, with the room's exit code. One long-lived process, so a
    JupyterHub service or a terminal sees nothing change."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["slips"]:
        return slips(argv[1:])
    if argv[:1] == [_SERVE]:
        return serve_room(argv[1:])
    args = parser().parse_args(argv)
    problem = port_problem(args.host, args.port)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        if args.tables:
            table_list(args.tables)  # said now, before the room starts
        asked = rooms.from_arguments(args.model, args.game, args.context)
        folder = Path(args.folder).expanduser().resolve()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise RoomError(f"cannot create the folder {str(folder)!r}: {err.strerror or err}") from None
        lock = hold_folder(folder)  # held until this process ends, whichever room runs
        with lock:
            return _supervise(args, folder, asked)
    except ModelError as err:  # RoomError is one
        print(f"error: {err}", file=sys.stderr)
        return 2


def _first_choice(folder, asked):
    """The room to start: the one last chosen on the facilitator page while the command line names
    the same room as when it was chosen (the same command comes back to it; a hub's service command
    never changes), else the one the command line names, else the folder's first room, else demo's
    explorer."""
    last, last_asked = rooms.read_choice(folder)
    asked_key = asked.key if asked is not None else None
    if last is not None and (asked is None or asked_key == last_asked):
        return last, last_asked, last
    if asked is not None:
        return asked, asked_key, last
    home = rooms.home_key(folder)
    return rooms.by_key(home or "explorer-demo"), None, last


def _supervise(args, folder, asked):
    choice, asked_key, last = _first_choice(folder, asked)
    data = rooms.data_folder(folder, choice)
    # a room new to the folder takes the code, secret and tables of the room served last
    left = rooms.data_folder(folder, last) if last is not None else folder
    if data != left and (left / "dpmkit-room.json").exists():
        rooms.carry_settings(left, data, choice)
    _record(folder, choice, asked_key)
    first, before = True, None
    while True:
        code = _run_room(_room_argv(args, folder, data, choice, first))
        if code == 2 and before is not None:  # the room chosen refused to start: back to the one left
            print(f"error: the room could not change to {choice.label} (above); going back to "
                  f"{before[0].label}", flush=True)
            (choice, data), before = before, None
            _record(folder, choice, asked_key)
            continue
        if code != SWITCH_EXIT:
            return code
        chosen, _ = rooms.read_choice(folder)  # checked against the kit's list again
        if chosen is None:
            print("error: the room was asked to change to a room the kit does not have; starting it again "
                  f"as it was ({choice.label})", flush=True)
            _record(folder, choice, asked_key)
            chosen = choice
        try:
            target = rooms.data_folder(folder, chosen)
            rooms.carry_settings(data, target, chosen)
        except (ModelError, OSError) as err:  # e.g. a damaged settings file there: the room stays
            print(f"error: the room could not change to {chosen.label} ({err}); it stays {choice.label}", flush=True)
            _record(folder, choice, asked_key)
            chosen, target = choice, data
        print(f"Changing the room to {chosen.label}: participants' pages follow by themselves.", flush=True)
        before = (choice, data)
        choice, data, first = chosen, target, False


def _record(folder, choice, asked_key):
    """Record the room served as the one last chosen; a folder that refuses (a shared folder where
    another account left a file of that name) costs only the memory of it, never the room."""
    try:
        rooms.write_choice(folder, choice, asked_key)
    except (ModelError, OSError) as err:
        print(f"note: could not record which room is open ({err}); started again, the room is the one its "
              "command names", flush=True)


def _room_argv(args, folder, data, choice, first):
    argv = [_SERVE, "--folder", str(folder), "--room-data", str(data), "--supervised",
            "--port", str(args.port), "--host", args.host, "--base-url", args.base_url,
            "--max-pages-per-device", str(args.max_pages_per_device), "--max-pages", str(args.max_pages),
            *choice.arguments()]
    if args.public_url:
        argv += ["--public-url", args.public_url]
    if args.behind_proxy:
        argv += ["--behind-proxy", str(args.behind_proxy)]
    if args.no_browser or not first:  # the facilitator's browser is open already
        argv.append("--no-browser")
    if first:  # afterwards the room carries its own (rooms.carry_settings)
        argv += [*(["--code", args.code] if args.code else []), *(["--tables", args.tables] if args.tables else [])]
    return argv


#: Seconds the supervisor gives the room to stop cleanly once asked (it closes the pages, hands the
#: folder back); then it ends the room at once (:func:`stop_room`).
STOP_PATIENCE = 30.0


def stop_room(proc, patience=STOP_PATIENCE):
    """Ask the room ``proc`` (started by :func:`_run_room`, its standard input a pipe from here) to stop
    cleanly, the same way on every platform: close that pipe. The room watches it (:func:`_lifeline`)
    and stops as on Ctrl+C: it closes the pages, takes its description out of the folder's session file
    and lets go of the folder. No POSIX signal is involved, so a room on Windows, where ``terminate`` is
    abrupt (no clean-up at all), is stopped as cleanly as one on Linux. Only a room that has not stopped
    after ``patience`` seconds is ended with ``terminate``, then ``kill``. Returns its exit code."""
    with contextlib.suppress(OSError, ValueError):
        proc.stdin.close()
    try:
        return proc.wait(timeout=patience)
    except subprocess.TimeoutExpired:
        pass
    for end in (proc.terminate, proc.kill):
        with contextlib.suppress(OSError):
            end()
        try:
            return proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            continue
    return proc.wait()


def _run_room(argv):
    """Run the room with ``argv`` until it exits; return its exit code. Ctrl+C and SIGTERM ask it to
    stop once, by closing its standard input (:func:`stop_room`); if this process is killed, the room
    sees its standard input close too, and stops."""
    cmd = [sys.executable, "-m", "dpmkit.room", *argv]
    # The room stays in this process's group, so whatever freezes the group (Ctrl+Z, kill -STOP)
    # reaches it too. On POSIX the room ignores SIGINT: a terminal's Ctrl+C reaches the whole group,
    # and the room is asked to stop from here, exactly once (uvicorn takes a second Ctrl+C as "stop at
    # once, without closing the pages"). Windows delivers a console's Ctrl+C to every process on it,
    # the room included; the request from here then only repeats it.
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    stopping = []

    def pass_on(signum, frame):
        if not stopping and proc.poll() is None:
            threading.Thread(target=stop_room, args=(proc,), name="dpmkit-room-stop", daemon=True).start()
        stopping.append(signum)

    handlers = {sig: signal.signal(sig, pass_on) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                code = proc.wait()
                break
            except KeyboardInterrupt:  # pragma: no cover - a signal between the handler's swaps
                pass_on(signal.SIGINT, None)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        with contextlib.suppress(OSError):
            proc.stdin.close()
    if stopping and code == SWITCH_EXIT:  # stopped while changing: stop
        return 0
    return code


def _lifeline(stop):
    """In the supervised room: stop when the supervisor goes (its end of standard input closes),
    however it went, so that no room is left serving without it."""
    def watch():
        with contextlib.suppress(OSError, ValueError):
            while sys.stdin.buffer.read(1024):
                pass
        stop()

    threading.Thread(target=watch, name="dpmkit-room-lifeline", daemon=True).start()


def serve_room(argv):
    """The room itself (run by :func:`main`): serve the folder's chosen room until stopped."""
    args = _room_parser().parse_args(argv)
    try:
        tables = table_list(args.tables) if args.tables else None
        choice = rooms.from_arguments(args.model, args.game, args.context)
        folder = Path(args.folder).expanduser().resolve()
        data = Path(args.room_data).expanduser().resolve() if args.room_data else folder
        try:
            rooms.make_data_folder(data)
        except OSError as err:
            raise RoomError(f"cannot create the folder {str(data)!r}: {err.strerror or err}") from None
        # before the room reads or writes its settings there: a running room's are left alone
        lock = contextlib.ExitStack() if args.supervised else hold_folder(folder)
        room = Room(data, model=choice.model if choice is not None else None, code=args.code, tables=tables)
        if choice is None:
            choice = rooms.by_key(f"explorer-{room.state.model}")
        room.game = start_game(room, choice.name, choice.context) if choice.kind == "game" else None
        room.choice = choice
    except ModelError as err:  # RoomError is one
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        from .server import configure_solara

        configure_solara()
        from .server import missing_assets, serve

        problem = missing_assets()
    except ModuleNotFoundError as err:
        problem = f"{err.name} is not installed. Install the room extra: pip install \"dpmkit[room]\""
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    participants, facilitator = urls(room, args.host, args.port, args.base_url, args.public_url)
    qr = write_qr(participants, folder / QR_FILE)

    def ready():
        print(f"Participants: {participants}", flush=True)
        print(f"  (room code {room.state.code}; QR code for the projector: {qr})", flush=True)
        print(f"Facilitator: {facilitator}", flush=True)
        print(f"  This room: {choice.label}. Change it on the facilitator page (Change the room).", flush=True)
        print(f"  Ballots are kept in {room.folder}. Stop with Ctrl+C; start again with the same "
              "--folder and nothing is lost.", flush=True)
        for note in room.notes:
            print(f"  Note: {note}", flush=True)
        if not args.no_browser:
            local = facilitator.replace(facilitator.split("/")[2], f"127.0.0.1:{args.port}", 1)
            if args.public_url:
                local = facilitator
            threading.Thread(target=webbrowser.open, args=(local,), daemon=True).start()

    server = {}
    stopping = threading.Lock()

    def stop():
        with stopping:
            server["stop"] = True
            found = server.get("uvicorn")
            if found is not None:
                found.should_exit = True  # not listening yet: take() stops it as it starts

    def switch(key):
        chosen = rooms.by_key(key)  # the kit's list, checked here and again by the supervisor
        if not args.supervised:
            raise RoomError("this room cannot change by itself: start it with python -m dpmkit.room")
        try:
            rooms.write_choice(folder, chosen, rooms.read_choice(folder)[1])
        except OSError as err:  # the page says so; the room stays as it is
            raise RoomError(f"could not record the room chosen in the folder ({err.strerror or err})") from None
        room.switching = chosen
        stop()

    room.switcher = switch
    ignore_interrupt = args.supervised and os.name != "nt"
    if args.supervised:
        _lifeline(stop)
    if ignore_interrupt:  # the supervisor asks the room to stop on Ctrl+C (see _run_room)
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def take(uvicorn_server):
        with stopping:
            server["uvicorn"] = uvicorn_server
            if server.get("stop"):  # asked to stop while warming up: uvicorn stops as it starts
                uvicorn_server.should_exit = True
        if ignore_interrupt:  # uvicorn sets its own handler for SIGINT while it serves
            handle_exit = uvicorn_server.handle_exit

            def handle_exit_but_interrupt(sig, frame):
                if sig != signal.SIGINT:
                    handle_exit(sig, frame)

            uvicorn_server.handle_exit = handle_exit_but_interrupt

    if hasattr(signal, "SIGUSR1"):  # kill -USR1 <pid> prints every thread's stack: to see where a room hangs
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    # Stopped by SIGTERM (a hub stopping its service, `kill`), the room stops as on Ctrl+C: uvicorn
    # closes the pages, then hands the signal back, and the room hands the folder back (withdraw).
    signal.signal(signal.SIGTERM, _stop_quietly)
    described, watcher = threading.Event(), None
    if data != folder:  # a room in FOLDER/rooms/KEY: FOLDER's session file names it, and its round
        room.home = folder

        def keep_home_described():
            said = room.open_round_words()
            while not described.wait(2.0):
                with contextlib.suppress(Exception):  # a game's folder read mid-write: next time
                    now = room.open_round_words()
                    if now != said:
                        said = now
                        room.describe_home()

    with lock:
        try:
            room.announce(args.port)  # notebooks' dashboards on the folder now leave its round to the room
            if room.home is not None:
                watcher = threading.Thread(target=keep_home_described, name="dpmkit-room-home", daemon=True)
                watcher.start()
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C stops the room quietly
                serve(room, host=args.host, port=args.port, ready=ready, base_url=args.base_url,
                      limits=PageLimits(per_device=args.max_pages_per_device, total=args.max_pages),
                      behind_proxy=args.behind_proxy, on_server=take)
        finally:
            described.set()
            if watcher is not None:
                watcher.join(timeout=10)  # its last words before the room takes them away
            room.withdraw()  # the notebook route may carry on with the folder (killed, the lock says it)
    return SWITCH_EXIT if room.switching is not None else 0
