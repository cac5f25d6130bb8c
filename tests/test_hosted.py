"""Hosted notebooks: the set-up cell installs the course where it is missing, keeps the image's torch, and refuses
a `utils` that is not the course's. The slow test plays a hosted image (torch, torchvision and ipykernel only)."""
import json
import re
import shutil
import subprocess
import sys
import sysconfig
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

from conftest import REPO
from utils.hosted import PIP_SOURCE_ENV, SETUP_CELL

IMAGE_PACKAGES = ("torch", "torchvision", "ipykernel")   # what a hosted image has, as far as the course cares
COURSE_FILES = ("pyproject.toml", "README.md", "utils", "grading", "pretrained")
NOTEBOOK = "01_history"   # the cheapest lecture


def run_cell(cwd: Path, *python_options: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the set-up cell's code as a script in `cwd` with this Python."""
    return subprocess.run([sys.executable, *python_options, "-c", SETUP_CELL], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=env)


def test_the_cell_does_nothing_where_the_course_is_installed(tmp_path):
    done = run_cell(tmp_path)
    assert done.returncode == 0 and "Installing" not in done.stdout, done.stderr


@pytest.mark.parametrize("shadow", ["utils.py", "utils/__init__.py", "utils/helpers.py"])
def test_a_students_utils_beside_the_notebook_stops_with_one_sentence(tmp_path, shadow):
    (tmp_path / shadow).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / shadow).write_text("def helper():\n    return 1\n")
    done = run_cell(tmp_path)
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode != 0 and last.startswith("ImportError: `import utils` would load "), done.stderr
    assert str(tmp_path) in last and "not the course's package: rename your own utils.py or utils/ folder" in last


def test_a_failed_install_says_what_to_do(tmp_path):
    import os

    env = {**os.environ, PIP_SOURCE_ENV: str(tmp_path / "no-such-course")}
    done = run_cell(tmp_path, "-S", env=env)   # -S: no site-packages, so `utils` is missing and pip must run
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode != 0 and last.startswith("RuntimeError: pip could not install the course from "), done.stderr
    assert "check the network" in last


# ---- the hosted job ----

def requirement_closure(names: tuple[str, ...]) -> set[str]:
    """The installed distributions `names` need, themselves included (extras left out)."""
    seen, todo = set(), list(names)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue   # an optional dependency this machine does not have
        seen.add(name)
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def link_packages(names: set[str], folder: Path) -> None:
    """Symlink the top-level files and folders of the distributions `names` (with their metadata) into `folder`."""
    site_packages = Path(sysconfig.get_paths()["purelib"])
    folder.mkdir()
    for name in names:
        for file in distribution(name).files or []:
            top = file.parts[0]
            if top != ".." and top != "__pycache__" and not (folder / top).exists() and (site_packages / top).exists():
                (folder / top).symlink_to(site_packages / top)


@pytest.mark.slow
def test_a_hosted_image_installs_the_course_keeps_its_torch_and_runs_a_lecture(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    image = tmp_path / "image-packages"
    link_packages(requirement_closure(IMAGE_PACKAGES), image)
    venv = tmp_path / "hosted"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    python = venv / "bin" / "python"
    site_packages = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    (site_packages / "hosted-image.pth").write_text(f"{image}\n")

    def where(module: str) -> str:
        return subprocess.run([python, "-c", f"import {module}; print({module}.__file__)"], capture_output=True,
                              text=True, check=True, cwd=tmp_path).stdout.strip()

    torch_before = where("torch")
    assert torch_before.startswith(str(image)), "the stand-in image should hold torch"
    assert subprocess.run([python, "-c", "import utils"], capture_output=True, cwd=tmp_path).returncode != 0, "the course is not there yet"

    course = tmp_path / "course"   # the repository, as the cell's pip would fetch it
    course.mkdir()
    for name in COURSE_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, course / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO / name, course / name)
    kernels = tmp_path / "jupyter" / "kernels" / "hosted"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "hosted",
        "language": "python", "env": {PIP_SOURCE_ENV: str(course), "COURSE_QUICK": "1", "PYTHONPATH": ""}}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)

    work = tmp_path / "content"   # the notebook alone, copied out of the repository
    work.mkdir()
    notebook = nbformat.read(REPO / "lectures" / f"{NOTEBOOK}.ipynb", as_version=4)
    NotebookClient(notebook, kernel_name="hosted", timeout=600, resources={"metadata": {"path": str(work)}}).execute()

    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    printed = "".join(output.get("text", "") for output in setup.outputs)
    assert "Installing the course from" in printed and "keeping torch==" in printed, printed
    assert where("torch") == torch_before, "the course's install replaced the image's torch"
    installed = {path.name.split("-")[0].lower() for path in site_packages.glob("*.dist-info")}
    assert "dl_course" in installed and not installed & {"torch", "torchvision"}, sorted(installed)
    assert not installed & {"jupyterlab", "nbgrader", "notebook"}, "a hosted notebook needs neither JupyterLab nor nbgrader"
    assert where("utils").startswith(str(site_packages)), "the course should come from the install, not the checkout"
    mode_printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "quick mode (COURSE_QUICK=1 is set)" in mode_printed


def test_the_grading_scan_trusts_the_set_up_cell_only_unchanged():
    from nbformat.v4 import new_code_cell, new_notebook

    from grading.report import static_tampering

    assert static_tampering(new_notebook(cells=[new_code_cell(SETUP_CELL), new_code_cell("x = 1")])) == []
    changed = new_notebook(cells=[new_code_cell(SETUP_CELL + "\nimport builtins"), new_code_cell("x = 1")])
    assert static_tampering(changed), "a student's edit of the set-up cell should be flagged like any other cell"
