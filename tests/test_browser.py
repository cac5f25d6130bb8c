"""JupyterLab end to end in headless Chromium, as a student and as an instructor would use it.

Starts `jupyter lab` on loopback in a temporary folder holding COPIES of lecture 03, the modified_lenet release and
the course's nbgrader files, then drives Debian's chromium with Playwright: run the lecture through the Run menu,
run the assignment and fix its first part by typing, open the formgrader and the assignment list.
Screenshots go to test-output/browser/ (git-ignored). Needs `chromium` (apt) and `playwright` (pip, no browser
download). Without chromium the test FAILS; set COURSE_SKIP_BROWSER=1 to skip it on purpose.
"""
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from conftest import CHROMIUM, REPO, launch_chromium
from grading.api import nbgrader

pytestmark = pytest.mark.slow

SHOTS = REPO / "test-output" / "browser"
TOKEN = "course-browser-test"
RUN_TIMEOUT_MS = int(os.environ.get("COURSE_BROWSER_RUN_TIMEOUT", "900")) * 1000
SETTINGS = {  # JupyterLab user settings written to the temporary settings folder
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab server (its URL) over a temporary copy of the course; stopped afterwards."""
    if os.environ.get("COURSE_SKIP_BROWSER") == "1":
        pytest.skip("COURSE_SKIP_BROWSER=1")
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium (or COURSE_SKIP_BROWSER=1)"
    import playwright  # noqa: F401
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "course"
    (root / "lectures").mkdir(parents=True)
    shutil.copy(REPO / "lectures" / "03_convnets.ipynb", root / "lectures")
    shutil.copytree(REPO / "assignments" / "modified_lenet", root / "assignments" / "modified_lenet")
    shutil.copytree(REPO / "solutions", root / "solutions")
    shutil.copy(REPO / "nbgrader_config.py", root)
    exchange = tmp / "exchange"  # a private exchange, so the student's Assignment List has something to list
    exchange.mkdir(mode=0o777)
    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
    for name, values in SETTINGS.items():
        path = tmp / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env = {**os.environ, "COURSE_QUICK": os.environ.get("COURSE_QUICK", "1"),
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp / "config"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    released = io.StringIO()
    assert nbgrader(["release_assignment", "modified_lenet", "--force"], root, env, released) == 0, \
        released.getvalue()[-3000:]
    port = free_port()
    log = open(tmp / "jupyter.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
                               f"--port={port}", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
                               "--ServerApp.port_retries=0", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
                               "jupyterlab.NeverCheckForUpdate"], cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=5)
            break
        except OSError:
            assert server.poll() is None and time.time() < deadline, (tmp / "jupyter.log").read_text()[-3000:]
            time.sleep(1)
    yield url, root
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="module")
def page(lab, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser screenshots: {SHOTS}")
    with sync_playwright() as driver:
        browser = launch_chromium(driver, tmp_path_factory.mktemp("chromium-profile"))
        yield browser.new_page()
        browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name), full_page=True)


def open_notebook(page, url: str, path: str) -> None:
    page.goto(f"{url}/lab/tree/{path}?reset&token={TOKEN}")  # reset: no tabs restored from an earlier test
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
    dialog = page.locator(".jp-Dialog:has-text('Select Kernel')")
    if dialog.count():  # a notebook without kernelspec metadata asks first
        dialog.locator(".jp-mod-accept").click()
    wait_idle(page, 120_000)


def wait_idle(page, timeout: int) -> None:
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=timeout)


def run_all(page) -> None:
    """Run -> Run All Cells, then wait until no cell is queued or running and the kernel is idle."""
    page.locator(".jp-NotebookPanel .jp-Notebook >> visible=true").first.click()  # focus the notebook on screen
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function("() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]"
                           ".every(p => !p.textContent.includes('*'))", timeout=RUN_TIMEOUT_MS, polling=1000)
    wait_idle(page, RUN_TIMEOUT_MS)


def save_and_read(page, root: Path, path: str):
    """Save the notebook through the UI (Ctrl+S) and read what JupyterLab wrote."""
    page.keyboard.press("Control+s")
    page.wait_for_timeout(2000)
    return nbformat.read(root / path, as_version=4)


def errors(notebook) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for c in notebook.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


def test_lecture_runs_in_jupyterlab_with_plots_and_progress_bars(lab, page):
    url, root = lab
    open_notebook(page, url, "lectures/03_convnets.ipynb")
    shot(page, "01_lecture_opened.png")
    run_all(page)
    shot(page, "02_lecture_ran.png")
    notebook = save_and_read(page, root, "lectures/03_convnets.ipynb")
    assert not errors(notebook), f"the lecture raised in JupyterLab: {errors(notebook)}"
    assert all(c.execution_count for c in notebook.cells if c.cell_type == "code"), "some cells did not run"
    figures = sum(1 for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    images = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img").count()
    assert figures and images >= figures, f"{figures} figures in the notebook, {images} <img> shown"
    bars = sum(1 for c in notebook.cells for o in c.get("outputs", [])
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {}) or "it/s]" in str(o.get("text", "")))
    shown = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) :is(.widget-hprogress, .progress-bar, .jp-OutputArea-output:has-text('it/s]'))").count()
    assert bars and shown >= 1, f"{bars} progress outputs in the notebook, {shown} progress bars shown"


def test_assignment_reports_its_visible_tests(lab, page):
    url, root = lab
    path = "assignments/modified_lenet/modified_lenet.ipynb"
    open_notebook(page, url, path)
    run_all(page)  # the blank release: the first test stops Run All with NotImplementedError
    shot(page, "03_assignment_blank_ran.png")
    outputs = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output")
    assert outputs.filter(has_text="NotImplementedError").count() >= 1, "the blank release should say what to do"
    # as a student: a wrong answer first, then the right one, each followed by its test cell
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
    index = next(i for i in range(cells.count()) if "def conv_output_size" in cells.nth(i).inner_text())
    for answer, message in [("    return input_size - kernel_size", "expected Part 1: conv_output_size(32, 5) to be 28, got 27"),
                            ("    return (input_size - kernel_size + 2 * padding) // stride + 1", "Part 1: visible tests passed.")]:
        editor = cells.nth(index).locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.type("def conv_output_size(input_size, kernel_size, stride=1, padding=0):\n")
        page.keyboard.press("Shift+Tab")  # undo the editor's auto-indent, the answer carries its own
        page.keyboard.insert_text(answer)
        page.keyboard.press("Shift+Enter")  # run the solution cell, move to the test cell
        page.keyboard.press("Shift+Enter")  # run the test cell
        wait_idle(page, 120_000)
        page.wait_for_timeout(500)
        assert message in cells.nth(index + 1).inner_text(), cells.nth(index + 1).inner_text()[-2000:]
    shot(page, "04_assignment_part1_messages.png")


def test_instructor_sees_formgrader_and_assignment_list(lab, page):
    url, root = lab
    page.goto(f"{url}/formgrader/manage_assignments?token={TOKEN}")
    page.wait_for_selector("text=modified_lenet", timeout=120_000)
    shot(page, "05_formgrader_assignments.png")
    page.goto(f"{url}/lab?token={TOKEN}")
    page.wait_for_selector(".lm-MenuBar-itemLabel", timeout=120_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").first.click()
    page.get_by_text("Released assignments").first.wait_for(timeout=60_000)
    page.locator("text=modified_lenet >> visible=true").first.wait_for(timeout=60_000)
    shot(page, "06_assignment_list.png")
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Formgrader").first.click()
    frame = page.frame_locator("iframe").first
    frame.locator("text=modified_lenet").first.wait_for(timeout=60_000)
    shot(page, "07_formgrader_in_lab.png")
