"""A real Jupyter kernel for the tests that check what a learner's cell shows (progress
notes, live widgets, pictures): messages as a front end receives them."""

from __future__ import annotations

import contextlib
import os


class Kernel:
    def __init__(self, client):
        self.client = client

    def run(self, code, timeout=300):
        """Every iopub message of ``code``'s execution until the kernel is idle again; a
        traceback in the cell fails the test with its text."""
        return self.messages_of(self.client.execute(code), timeout)

    def messages_of(self, msg_id, timeout=300):
        messages = []
        while True:
            msg = self.client.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(msg)
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "error":
                raise AssertionError("\n".join(content.get("traceback", [])))
            if kind == "status" and content["execution_state"] == "idle":
                return messages


def displays(messages, kinds=("display_data", "update_display_data", "execute_result")):
    """(message type, content) of the outputs among ``messages``."""
    return [(m["header"]["msg_type"], m["content"]) for m in messages if m["header"]["msg_type"] in kinds]


@contextlib.contextmanager
def kernel(tmp_path, cwd=None, **env):
    """A fresh python3 kernel with its own empty chart cache folder (as on a new machine),
    started in ``cwd`` with ``env`` added to this process's environment."""
    from jupyter_client.manager import start_new_kernel

    env = {**os.environ, "DPMKIT_CACHE_DIR": str(tmp_path / "cache"), **env}
    manager, client = start_new_kernel(kernel_name="python3", env=env, startup_timeout=120,
                                       cwd=None if cwd is None else str(cwd))
    try:
        yield Kernel(client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def empty_outputs(nb):
    """Ids of the cells holding an output that shows nothing."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                blank = not out.get("text", "").strip()
            elif out["output_type"] in ("display_data", "execute_result"):
                data = out.get("data", {})
                blank = (not data.get(_WIDGET_VIEW, {}).get("model_id")
                         and not any(str(v).strip() for k, v in data.items() if k != _WIDGET_VIEW))
            else:
                blank = False
            if blank:
                found.append(cell.get("id"))
    return found
