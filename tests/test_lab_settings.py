"""JupyterLab as the kit opens it does not interrupt a learner with the pop-up about Jupyter news,
and opens Markdown files rendered (the learner notebooks' glossary links lead to glossary.md).

The setting ships in the project's own files (jupyter/lab/settings/overrides.d/dpmkit.json);
`make lab` copies it into the venv and Binder's postBuild into its environment. These tests run
the real make target and a real JupyterLab server, and read the defaults the browser is given.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "jupyter" / "lab" / "settings" / "overrides.d" / "dpmkit.json"
PLUGIN = "@jupyterlab/apputils-extension:notification"
DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"
JUPYTER = Path(sys.executable).parent / "jupyter"


def test_the_shipped_setting_opens_markdown_files_rendered():
    # a learner notebook's glossary link opens workshops/handouts/glossary.md: rendered, not as source
    settings = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert settings[DOCMANAGER]["defaultViewers"] == {"markdown": "Markdown Preview"}


def test_the_shipped_setting_turns_the_news_question_off():
    settings = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert settings[PLUGIN]["fetchNews"] == "false"  # "none" (JupyterLab's default) is what asks the question
    assert settings[PLUGIN]["checkForUpdates"] is False


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_installs_it_into_the_venv(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".created").touch()  # a venv that exists; this test installs nothing else
    done = subprocess.run(["make", "-C", str(ROOT), f"VENV={venv}", "lab-settings"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    installed = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "dpmkit.json"
    assert installed.read_text(encoding="utf-8") == SHIPPED.read_text(encoding="utf-8")
    (venv / ".installed-lab").touch()
    plan = subprocess.run(["make", "-C", str(ROOT), "-n", f"VENV={venv}", "lab"], capture_output=True, text=True,
                          timeout=60)
    assert "jupyter lab" in plan.stdout  # `make lab` has the setting as a prerequisite
    installed.unlink()
    plan = subprocess.run(["make", "-C", str(ROOT), "-n", f"VENV={venv}", "lab"], capture_output=True, text=True,
                          timeout=60)
    assert "cp jupyter/lab/settings/overrides.d/dpmkit.json" in plan.stdout, plan.stdout


def test_postbuild_installs_it_too():
    text = (ROOT / "postBuild").read_text(encoding="utf-8")
    assert "jupyter/lab/settings/overrides.d/dpmkit.json" in text and "share/jupyter/lab/settings/overrides.d" in text


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_defaults(settings_dir, tmp_path, plugin=PLUGIN):
    """Start a real JupyterLab with this app settings folder; return ``plugin``'s defaults."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    port, token = _free_port(), "dpmkit-test"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    log = open(tmp_path / "lab.log", "w+", encoding="utf-8")  # noqa: SIM115 - a file, not a pipe that could fill up
    server = subprocess.Popen(
        [str(JUPYTER), "lab", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--LabApp.app_settings_dir={settings_dir}",
         f"--LabApp.user_settings_dir={tmp_path / 'user'}", f"--ServerApp.root_dir={tmp_path}"],
        env=env, stdout=subprocess.DEVNULL, stderr=log, text=True)
    try:
        url = f"http://127.0.0.1:{port}/lab/api/settings/{plugin}?token={token}"
        deadline = time.monotonic() + 90
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
        while True:
            try:
                with direct.open(url, timeout=5) as answer:
                    body = json.loads(answer.read())
                break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError("JupyterLab stopped: " + (tmp_path / "lab.log").read_text()[-3000:]) from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        return {k: v.get("default") for k, v in body["schema"]["properties"].items()}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.mark.skipif(not JUPYTER.exists(), reason="needs JupyterLab (the lab extra)")
def test_a_real_jupyterlab_reads_the_setting(tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    assert _lab_defaults(bare, tmp_path / "a")["fetchNews"] == "none"  # JupyterLab's own default asks
    shipped = tmp_path / "shipped"
    (shipped / "overrides.d").mkdir(parents=True)
    shutil.copy(SHIPPED, shipped / "overrides.d" / "dpmkit.json")
    defaults = _lab_defaults(shipped, tmp_path / "b")
    assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False
    # the glossary links of the learner notebooks open the glossary rendered, at the term
    viewers = _lab_defaults(shipped, tmp_path / "c", DOCMANAGER)["defaultViewers"]
    assert viewers == {"markdown": "Markdown Preview"}
