"""Executed lecture notebooks, cached in build/executed/ for the book: shared by scripts/build_book.py and nbval.

An entry is `<lecture>.<key>.ipynb`, the key a hash of the notebook's cells (types and sources) and the mode, so an
unchanged lecture is never executed twice: the book build executes what is missing (nbclient, a fresh kernel,
working directory lectures/), and `pytest` stores what nbval executed (conftest.py). An entry starts with a note,
written when it was executed and never into lectures/: the mode and the device that produced its outputs, and how
to run the notebook yourself.
"""
from __future__ import annotations

import copy
import datetime
import hashlib
import json
import os
import re
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
LECTURES = REPO / "lectures"
CACHE = REPO / "build" / "executed"
NOTE_TAG = "course-book-note"
DEVICE_LINE = re.compile(r"device: (?P<device>[^;\n]+); torch (?P<torch>[^;\n]+);")
MODE_LINE = re.compile(r"\b(?P<mode>quick|full) mode \((?P<reason>[^)\n]*)\)")


def mode() -> str:
    """The mode a notebook runs in here: 'quick' or 'full', as COURSE_QUICK says (unset: full with CUDA only)."""
    value = os.environ.get("COURSE_QUICK", "").strip().lower()
    if value in {"1", "true", "yes"}:
        return "quick"
    if value in {"0", "false", "no"}:
        return "full"
    import torch

    return "full" if torch.cuda.is_available() else "quick"


def source_key(notebook: nbformat.NotebookNode, run_mode: str) -> str:
    """A hash of the notebook's cells (types and sources, never outputs) and the mode."""
    cells = [[cell.cell_type, cell.source] for cell in notebook.cells if NOTE_TAG not in cell.metadata.get("tags", [])]
    return hashlib.sha256(json.dumps([cells, run_mode]).encode()).hexdigest()[:16]


def entry(path: Path, run_mode: str) -> Path:
    """Where the executed copy of the lecture at path lives in the cache (whether it exists or not)."""
    return CACHE / f"{path.stem}.{source_key(nbformat.read(path, as_version=4), run_mode)}.ipynb"


def is_lecture(path: Path) -> bool:
    """True for a notebook directly under lectures/."""
    return path.suffix == ".ipynb" and path.resolve().parent == LECTURES


def colab_url(path: Path) -> str:
    """The lecture's Colab link, from the course's repository URL (utils/hosted.py)."""
    from utils.hosted import REPOSITORY_URL

    return f"https://colab.research.google.com/github/{REPOSITORY_URL.removeprefix('https://github.com/')}" \
           f"/blob/main/lectures/{path.name}"


def printed(notebook: nbformat.NotebookNode) -> str:
    """Everything the notebook's code cells printed (stream outputs and plain-text results)."""
    return "\n".join(str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
                     for cell in notebook.cells if cell.cell_type == "code" for out in cell.get("outputs", []))


def provenance(notebook: nbformat.NotebookNode, run_mode: str, runner: str) -> dict[str, str]:
    """Mode, device and torch version as the notebook's set-up cell printed them, with the runner and the date."""
    text = printed(notebook)
    device, mode_match = DEVICE_LINE.search(text), MODE_LINE.search(text)
    return {"mode": mode_match["mode"] if mode_match else run_mode,
            "reason": mode_match["reason"] if mode_match else "not printed",
            "device": device["device"] if device else "not printed", "torch": device["torch"] if device else "?",
            "runner": runner, "date": datetime.date.today().isoformat()}


def note_cell(path: Path, facts: dict[str, str]) -> nbformat.NotebookNode:
    """The note at the top of a lecture's page: what produced its outputs, and how to run it yourself."""
    text = (f"```{{note}}\nThe outputs on this page come from running this notebook in **{facts['mode']} mode** "
            f"({facts['reason']}) on **{facts['device']}** (torch {facts['torch']}), executed by {facts['runner']} "
            f"on {facts['date']}.\n\n**Run it yourself:** [open it in Colab]({colab_url(path)}) (its first cell "
            f"installs the course), or locally after the [set-up](../index.md#set-up): `pip install -e \".[lab]\"`, "
            f"then `jupyter lab lectures/{path.name}` and **Run -> Run All Cells**.\n```")
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": [NOTE_TAG]})


def with_note(path: Path, notebook: nbformat.NotebookNode, facts: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of the executed notebook with the note after its title cell and the facts in its metadata."""
    executed = copy.deepcopy(notebook)
    first = executed.cells[0] if executed.cells else None
    at = 1 if first is not None and first.cell_type == "markdown" and first.source.lstrip().startswith("# ") else 0
    executed.cells.insert(at, note_cell(path, facts))
    executed.metadata["course_book"] = facts
    return executed


def store(path: Path, executed: nbformat.NotebookNode, run_mode: str, runner: str) -> Path:
    """Write an executed copy of the lecture at path into the cache (atomically), dropping its older entries."""
    target = entry(path, run_mode)
    CACHE.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    nbformat.write(with_note(path, executed, provenance(executed, run_mode, runner)), temporary)
    os.replace(temporary, target)
    for old in CACHE.glob(f"{path.stem}.*.ipynb"):
        if old != target and old.name.count(".") == 2:
            old.unlink()
    return target


def execute(path: Path, run_mode: str, timeout: int = 900) -> Path:
    """Execute the lecture at path with nbclient (fresh kernel, working directory lectures/) and cache the result."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    os.environ["COURSE_QUICK"] = "1" if run_mode == "quick" else "0"  # the kernel inherits it
    NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return store(path, notebook, run_mode, "nbclient")
