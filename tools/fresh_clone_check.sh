#!/usr/bin/env bash
# Prove the README's two commands work on a fresh clone, before every stop.
#
# CI runs on a clean clone of main, and a newcomer starts from one. A green `make test`
# in a working copy can hide a file that was never committed, an install step that only
# happened by hand, or a test that leans on something installed globally (a `jupyter-lab`
# on the machine's PATH once broke a fresh machine's `make test`). This script:
#   1. clones the committed HEAD into a scratch folder (uncommitted changes are left out,
#      and it says so);
#   2. runs there with a PATH cut down to the chosen Python's folder and the system's
#      /usr/bin and /bin, so nothing from this machine's other environments leaks in;
#   3. runs `make test` (a brand-new .venv), then `make lab` until JupyterLab answers,
#      and stops it, then `make room` (the workshop's command) until the participants'
#      page answers, and stops it.
# Usage: tools/fresh_clone_check.sh [PYTHON]   (or `make fresh-check`)
set -euo pipefail

top=$(git rev-parse --show-toplevel)
python=${1:-python3}
python_path=$(command -v "$python") || { echo "error: '$python' was not found" >&2; exit 1; }
# Resolve pyenv-style shims to the real interpreter, so the cut-down PATH still finds it.
real_python=$("$python_path" -c 'import sys; print(sys.executable)')
scratch=$(mktemp -d "${TMPDIR:-/tmp}/dpmkit-fresh-XXXXXX")
keep=${KEEP_SCRATCH:-}
cleanup() {
    if [ -n "${lab_pid:-}" ]; then kill -- "-$lab_pid" 2>/dev/null || true; fi
    if [ -n "${room_pid:-}" ]; then kill -- "-$room_pid" 2>/dev/null || true; fi
    if [ -z "$keep" ]; then rm -rf "$scratch"; else echo "scratch clone kept in $scratch"; fi
}
trap cleanup EXIT

if [ -n "$(git -C "$top" status --porcelain)" ]; then
    echo "note: the working copy has uncommitted changes; they are NOT part of this check."
fi
git clone --quiet --no-hardlinks "$top" "$scratch/dpmkit"
# CI lays shared/ (the SDXorg test models among it) beside its clone; do the same.
if [ -d "$top/../shared" ]; then ln -s "$(cd "$top/../shared" && pwd)" "$scratch/shared"; fi
cd "$scratch/dpmkit"
echo "== fresh clone of $(git rev-parse --short HEAD) in $scratch/dpmkit"

clean_path="$(dirname "$real_python"):/usr/bin:/bin"
run() { env -i HOME="$HOME" LANG="${LANG:-C.UTF-8}" TERM=dumb PATH="$clean_path" \
        ${OPENBLAS_CORETYPE:+OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE} \
        ${OPENBLAS_L2_SIZE:+OPENBLAS_L2_SIZE=$OPENBLAS_L2_SIZE} "$@"; }

echo "== make test (PATH=$clean_path)"
run make test PYTHON="$real_python"

free_port() { "$real_python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# answers URL LOG WHAT: wait up to 120 s for URL to answer; else show LOG and fail
answers() {
    for _ in $(seq 1 120); do
        if "$real_python" -c "import urllib.request as u; u.urlopen('$1', timeout=2)" 2>/dev/null; then
            echo "$3 answered on $1"
            return 0
        fi
        sleep 1
    done
    echo "error: $3 did not answer within 120 s; its log:" >&2
    tail -n 40 "$2" >&2
    exit 1
}

port=$(free_port)
echo "== make lab (port $port, until JupyterLab answers)"
set -m
run make lab PYTHON="$real_python" LAB_ARGS="--no-browser --port=$port --IdentityProvider.token=" \
    > "$scratch/lab.log" 2>&1 &
lab_pid=$!
set +m
answers "http://127.0.0.1:$port/lab" "$scratch/lab.log" JupyterLab
kill -- "-$lab_pid" 2>/dev/null || true
lab_pid=

port=$(free_port)
echo "== make room (port $port, until the participants' page answers)"
set -m
run make room PYTHON="$real_python" ROOM_FOLDER="$scratch/room" ROOM_PORT="$port" \
    ROOM_ARGS="--no-browser --host 127.0.0.1" > "$scratch/room.log" 2>&1 &
room_pid=$!
set +m
answers "http://127.0.0.1:$port/" "$scratch/room.log" "The room"
for _ in $(seq 1 60); do grep -q "^Facilitator: " "$scratch/room.log" && break; sleep 1; done
grep -E "^(Participants|Facilitator): " "$scratch/room.log" || { echo "error: the room printed no links" >&2; exit 1; }
echo "== fresh clone check passed"
