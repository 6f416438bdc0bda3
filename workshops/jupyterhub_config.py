# JupyterHub for a course with hundreds of students: dpmkit's room as a hub service, and one
# shared ballot folder that the room and every student's notebooks use. See workshops/room.md,
# "Beyond one room: JupyterHub".
#
#   pip install "dpmkit[hub]"          # the room's packages and jupyterhub
#   npm install -g configurable-http-proxy
#   jupyterhub -f workshops/jupyterhub_config.py
#
# Everything is set from environment variables, so the same file serves a test run and a course:
#
#   DPMKIT_HUB_BALLOTS     the shared ballot folder (default /srv/dpmkit/ballots). The room
#                          service and every student's server see it under the same path: on one
#                          machine a folder all students' accounts may write to (group-writable,
#                          setgid, sticky: chmod 3770, see workshops/setup.md); with containers
#                          (DockerSpawner, KubeSpawner), a volume mounted at this path in each
#                          student's container and in the hub's.
#   DPMKIT_HUB_PUBLIC_URL  the hub's address as students reach it, e.g. https://hub.example.ac.uk;
#                          the room prints its links (and draws its QR code) with it.
#   DPMKIT_HUB_ROOM_CODE   the room code (default: the folder's, else a new one; printed in the
#                          hub's log with the Facilitator link).
#   DPMKIT_HUB_ROOM_PORT   the room's port on the hub machine (default 8866; only the hub's proxy
#                          reaches it: the room listens on 127.0.0.1).
#   DPMKIT_HUB_MODEL       the ready-made model (default demo). Students' notebook ballots reach the
#                          room's dashboard only for this model: use the one their notebook names
#                          (ballot.ipynb: surrey).
#   DPMKIT_HUB_TABLES      the tables students choose from: a number (8) or names ("Red,Blue,Green");
#                          default: the folder's list, else 6. The ballot forms in students' notebooks
#                          offer the same list.
#   DPMKIT_HUB_GAME        start with a game instead of the explorer (surrey, targets_vs_learning,
#                          attractor); DPMKIT_HUB_CONTEXT its context. No need to change it in term:
#                          the teacher changes the room (another model's explorer, or a game) on the
#                          room's facilitator page, with no hub restart; each room keeps its data in
#                          the folder (other rooms in its rooms/ subfolder), and a restarted hub comes
#                          back to the room last chosen.
#   DPMKIT_HUB_MAX_PAGES   live pages the room keeps (default 200, about 0.4 GB); the teacher's
#                          dashboard and projector count too, so for a course of 200 give about 300.
#   DPMKIT_HUB_PORT        the hub's public port (default 8000).
#   DPMKIT_HUB_PYTHON      the Python that runs the room (default: the hub's own). It needs the kit
#                          with its room extra (pip install "dpmkit[room]"). On The Littlest JupyterHub
#                          the hub's Python (/opt/tljh/hub) is not the one `sudo -E pip` installs into:
#                          set DPMKIT_HUB_PYTHON=/opt/tljh/user/bin/python (workshops/setup.md).
#
# Students then use either route, and both land in the same folder and on the same dashboard:
#   - the room's pages, through the hub's proxy: <public url>/services/dpmkit-room/?code=CODE
#     (no login is needed for these pages: the room code is the gate, as in a room; the
#     Facilitator link carries its own secret);
#   - their own JupyterLab on the hub, where the environment variable DPMKIT_BALLOTS names the
#     shared folder: dk.widgets.ballot_widget(model, os.environ["DPMKIT_BALLOTS"], ...).
# The authenticator (who may log in to JupyterLab) is your university's: set
# c.JupyterHub.authenticator_class below; the default here is the machine's own accounts (PAM).

import os
import sys

c = get_config()  # noqa: F821 - provided by JupyterHub's config loader

BALLOTS = os.environ.get("DPMKIT_HUB_BALLOTS", "/srv/dpmkit/ballots")
PUBLIC_URL = os.environ.get("DPMKIT_HUB_PUBLIC_URL", "")
ROOM_PORT = int(os.environ.get("DPMKIT_HUB_ROOM_PORT", "8866"))
ROOM_CODE = os.environ.get("DPMKIT_HUB_ROOM_CODE", "")
MODEL = os.environ.get("DPMKIT_HUB_MODEL", "demo")
SERVICE = "dpmkit-room"

c.JupyterHub.port = int(os.environ.get("DPMKIT_HUB_PORT", "8000"))

# The room, started and restarted by the hub (a "managed service"); the hub's proxy routes
# /services/dpmkit-room/ to it and passes the full path on, hence --base-url. Every student
# arrives from the proxy, which adds the student's address to each connection: --behind-proxy
# has the room read it, so that each student's device is held to the room's per-device limits.
PYTHON = os.environ.get("DPMKIT_HUB_PYTHON", "").strip() or sys.executable
room_command = [PYTHON, "-m", "dpmkit.room", "--folder", BALLOTS, "--host", "127.0.0.1",
                "--port", str(ROOM_PORT), "--model", MODEL, "--no-browser",
                "--base-url", f"/services/{SERVICE}/", "--behind-proxy"]
if PUBLIC_URL:
    room_command += ["--public-url", PUBLIC_URL]
if ROOM_CODE:
    room_command += ["--code", ROOM_CODE]
for variable, option in (("DPMKIT_HUB_TABLES", "--tables"), ("DPMKIT_HUB_GAME", "--game"),
                         ("DPMKIT_HUB_CONTEXT", "--context"), ("DPMKIT_HUB_MAX_PAGES", "--max-pages")):
    if os.environ.get(variable, "").strip():
        room_command += [option, os.environ[variable].strip()]

c.JupyterHub.services = [
    {
        "name": SERVICE,
        "url": f"http://127.0.0.1:{ROOM_PORT}",
        "command": room_command,
        "display": True,  # listed on the hub's Services menu
        "environment": {"PYTHONUNBUFFERED": "1"},
    }
]
# Every student's own server knows the shared folder.
c.Spawner.environment = {"DPMKIT_BALLOTS": BALLOTS}
c.Spawner.default_url = "/lab"
