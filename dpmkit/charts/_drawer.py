"""vl-convert in a helper process beside a Jupyter kernel (internal to :mod:`dpmkit.charts`;
imports neither Altair nor vl-convert, so it can start the helper before they load).

The first SVG drawn in a process starts vl-convert's JavaScript engine: about 0.8-0.9 s
of CPU (3-6 s on a loaded machine), during which vl-convert holds Python's GIL, so a
thread cannot hide it. A separate process can: the kernel starts it as soon as the
chart tools are imported, the helper starts its engine on another core while the kernel
imports Altair and builds the chart, and the kernel then sends each chart's Vega-Lite
dict down a pipe and reads the SVG back. The helper runs the same vl-convert with the
same Vega-Lite dict (sent as JSON, read back as the same dict), so the pictures are
byte-identical to drawing in the kernel (tested).

**Only with a core to spare**: the load average of the last minute at least one below
the number of cores (``DPMKIT_CHART_HELPER=1`` forces it on, ``0`` off). Measured on the
2-core development machine (``bench/bench_first_chart.py --helper both --compare``,
medians of 5 fresh kernels each, same run). At load 1.1-1.2: first chart picture 1.42 s
with the helper, 1.87 s without, 2.23 s before this branch; the explorer's picture 1.38 s,
1.94 s, 2.12 s; its live widget 1.12 s, 1.08 s, 1.00 s (unchanged within the noise). At
load 3-4 (other work on both cores) the helper made things worse: first chart 2.48 s
against 2.15 s, live widget 2.21 s against 1.04 s, because its engine start (1.2-1.5 s of
CPU, more than the ~1 s it saves the kernel) then competes with the kernel's own imports.

Only a Jupyter kernel starts a helper (JupyterLab, nbclient, Voila); scripts, tests and
Solara's room draw in their own process. Anything wrong with the helper (it cannot
start, it died, a spec is not JSON, no answer within :attr:`Helper.timeout`) draws in
the kernel instead. The helper reads its
requests from a pipe and ends when the kernel closes it (when the kernel exits, however
it exits).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import subprocess
import sys
import threading

#: The helper's program, run as ``python -c``. It imports only json and vl_convert.
HELPER = r"""
import sys
del sys.path[0]  # not the notebook's folder: a json.py there must not stand in for the standard one
import json
import os

replies = os.fdopen(os.dup(1), "w", encoding="utf-8")  # the kernel reads only the replies:
os.dup2(2, 1)  # anything else written to stdout goes where stderr goes (nowhere)
import vl_convert

# Start the engine before the first chart is asked for, on a chart like the kit's time series
# (titles, a legend of colours and dashes, formatted axes): the first drawing of each kind of
# part costs extra once.
series = {"field": "s", "type": "nominal", "legend": {"orient": "bottom", "titleFontSize": 16}}
warm_up = {"datasets": {"d": [{"t": 2000.0 + i, "v": float(i * i), "s": "a"} for i in range(40)]},
           "data": {"name": "d"}, "title": {"text": "a", "subtitle": "b", "fontSize": 22, "anchor": "start"},
           "vconcat": [{"layer": [{"mark": {"type": "line", "strokeWidth": 3},
                                   "encoding": {"x": {"field": "t", "type": "quantitative", "scale": {"nice": False},
                                                      "axis": {"title": "Time", "format": "d", "titleFontSize": 18}},
                                                "y": {"field": "v", "type": "quantitative", "scale": {"zero": False},
                                                      "axis": {"title": "v", "labelFontSize": 16}},
                                                "color": {**series, "scale": {"range": ["#0072B2"]}},
                                                "strokeDash": {**series, "scale": {"range": [[1, 0]]}},
                                                "tooltip": [{"field": "v", "type": "quantitative", "format": ",.4~g"}]},
                                   "transform": [{"filter": {"field": "s", "oneOf": ["a"]}}]}],
                        "width": 620, "height": 300}]}
try:
    vl_convert.vegalite_to_svg(warm_up)  # the newest Vega-Lite, which the installed Altair writes
except Exception:
    pass
for line in sys.stdin:
    try:
        request = json.loads(line)
        reply = {"svg": vl_convert.vegalite_to_svg(request["spec"], vl_version=request["vl_version"])}
    except Exception as err:
        reply = {"error": str(err), "kind": type(err).__name__}
    replies.write(json.dumps(reply) + "\n")
    replies.flush()
"""


def wanted():
    """True in a Jupyter kernel's shell (not Solara's virtual kernels, not scripts or tests)
    on a computer with a core to spare (:func:`spare_core`); ``DPMKIT_CHART_HELPER=1`` or
    ``0`` decides instead (see the module's notes for the figures)."""
    choice = os.environ.get("DPMKIT_CHART_HELPER", "").strip().lower()
    if choice == "0" or "ipykernel" not in sys.modules:
        return False
    try:
        from ipykernel.zmqshell import ZMQInteractiveShell
        from IPython import get_ipython

        if not isinstance(get_ipython(), ZMQInteractiveShell):
            return False
    except Exception:
        return False
    return choice == "1" or spare_core()


def spare_core():
    """True when the last minute's load average is at least one below the number of cores
    (True where the load average cannot be read, e.g. on Windows: a learner's computer)."""
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return cores >= 2
    return load + 1 <= cores


class Helper:
    """The helper process of this kernel (one per process, started once)."""

    lock = threading.Lock()
    proc = None
    pid = None  # the process that started it: a forked child must not share its pipes
    failed = False
    replies = None  # the helper's reply lines, read by a thread (queue.Queue; None at the end)
    #: Longest wait for one drawing, in seconds: a helper that does not answer by then is
    #: stopped and the kernel draws (this chart and every later one). Generous, since the
    #: first drawing waits for the helper's engine (1 s idle, 3-6 s on a loaded machine)
    #: and a large chart takes longer; a helper that hangs must not hang the kernel.
    timeout = 20.0

    @classmethod
    def start(cls):
        """Start the helper if none runs (and none failed). Returns True if one runs."""
        with cls.lock:
            if cls.proc is not None and cls.pid == os.getpid():
                return True
            if cls.failed:
                return False
            try:
                cls.proc = subprocess.Popen(
                    [sys.executable, "-c", HELPER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, close_fds=True)
            except (OSError, ValueError):
                cls.proc, cls.failed = None, True
                return False
            cls.pid = os.getpid()
            cls.replies = queue.Queue()
            threading.Thread(target=_read_replies, args=(cls.proc.stdout, cls.replies), daemon=True,
                             name="dpmkit-chart-helper-replies").start()
            return True

    @classmethod
    def draw(cls, spec, vl_version):
        """SVG text of the Vega-Lite dict ``spec``, drawn by the helper; None when there is no
        helper or it failed (the caller draws in this process). vl-convert's own errors
        come back as the ``ValueError`` it raises."""
        if cls.proc is None:
            return None
        try:
            request = json.dumps({"spec": spec, "vl_version": vl_version}, allow_nan=True).encode("utf-8")
        except (TypeError, ValueError):
            return None  # not JSON (e.g. an object in a hand-made spec): draw in the kernel
        with cls.lock:
            proc = cls.proc
            if proc is None or cls.pid != os.getpid():
                return None
            try:
                proc.stdin.write(request + b"\n")
                proc.stdin.flush()
                line = cls.replies.get(timeout=cls.timeout)  # waits without holding the GIL
                reply = json.loads(line) if line else None
            except (OSError, ValueError, queue.Empty):
                reply = None
            if not isinstance(reply, dict):
                cls._stop(kill=True)
                cls.failed = True  # it died, garbled or hung: draw in the kernel from now on
                return None
        if "svg" in reply:
            return reply["svg"]
        if reply.get("kind") == "ValueError":
            raise ValueError(reply.get("error", ""))
        raise RuntimeError(reply.get("error", ""))

    @classmethod
    def stop(cls):
        with cls.lock:
            cls._stop()

    @classmethod
    def _stop(cls, kill=False):
        proc, cls.proc = cls.proc, None
        if proc is None or cls.pid != os.getpid():
            return
        try:
            if kill:  # it failed: no waiting for it to finish
                raise subprocess.TimeoutExpired(proc.args, 0)
            proc.stdin.close()  # the helper's loop ends
            proc.wait(timeout=2)
        except Exception:
            proc.kill()
            with contextlib.suppress(Exception):
                proc.wait(timeout=2)
        finally:
            for stream in (proc.stdin, proc.stdout):
                with contextlib.suppress(Exception):
                    stream.close()


def _read_replies(stream, replies):
    """The helper's reply lines into ``replies``, then None when its output ends (it ended,
    or the kernel stopped it), so :meth:`Helper.draw` can wait for a reply with a bound."""
    try:
        for line in iter(stream.readline, b""):
            replies.put(line)
    except (OSError, ValueError):  # the pipe was closed by Helper.stop
        pass
    replies.put(None)


atexit.register(Helper.stop)


def start_in_kernel():
    """Start the helper when running in a Jupyter kernel (see :func:`wanted`)."""
    if wanted():
        Helper.start()
