"""Find the students' notebooks in a folder or zip and place them where nbgrader looks for them."""
from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import nbformat

IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints"}


def student_id(name: str) -> str:
    """A safe student id from a file or folder name: letters, digits, '-', '_' and '.' only."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")
    return cleaned or "unnamed"


def safe_extract(archive: Path, target: Path) -> None:
    """Extract a zip, refusing members that would land outside `target` (absolute paths, '..', links)."""
    with zipfile.ZipFile(archive) as zipped:
        for member in zipped.infolist():
            path = PurePosixPath(member.filename)
            if path.is_absolute() or ".." in path.parts or (member.external_attr >> 16) & 0o170000 == 0o120000:
                raise ValueError(f"unsafe path in {archive.name}: {member.filename}")
        zipped.extractall(target)


def find_notebooks(folder: Path, assignment: str) -> tuple[dict[str, Path], dict[str, str]]:
    """Map each student to one notebook in `folder`; also return the problems found ({student: message}).

    Accepted layouts: `<student>.ipynb` at the top, or a folder per student holding the notebook at any
    depth (`<student>/<assignment>.ipynb`, nbgrader's `<student>/<assignment>/<assignment>.ipynb`).
    Where a student's folder holds several notebooks, the one named `<assignment>.ipynb` is taken.
    """
    found, problems = {}, {}
    entries = [e for e in folder.iterdir() if e.name not in IGNORED_PARTS and not e.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and (
            any(p.is_dir() for p in entries[0].iterdir()) or len(list(entries[0].glob("*.ipynb"))) > 1):
        folder = entries[0]  # a zip whose one top folder holds the students' folders or notebooks
    for entry in sorted(folder.iterdir()):
        if entry.name in IGNORED_PARTS or entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            found[student_id(entry.stem)] = entry
        elif entry.is_dir():
            student = student_id(entry.name)
            notebooks = [p for p in sorted(entry.rglob("*.ipynb")) if not IGNORED_PARTS & set(p.parts)]
            named = [p for p in notebooks if p.name == f"{assignment}.ipynb"]
            if len(named) == 1 or len(notebooks) == 1:
                found[student] = (named or notebooks)[0]
            elif not notebooks:
                problems[student] = "no notebook handed in"
            else:
                problems[student] = f"{len(notebooks)} notebooks and none (or several) named {assignment}.ipynb"
    return found, problems


def place_submissions(source: Path, assignment: str, course: Path) -> tuple[list[str], dict[str, str]]:
    """Copy each student's notebook to course/submitted/<student>/<assignment>/<assignment>.ipynb.

    Returns the students placed and the problems ({student: message}) of those that could not be.
    Notebooks that nbformat cannot read are not placed (they would stop nbgrader's run).
    """
    with tempfile.TemporaryDirectory() as scratch:
        folder = source
        if source.is_file() and zipfile.is_zipfile(source):
            folder = Path(scratch)
            safe_extract(source, folder)
        elif not source.is_dir():
            raise ValueError(f"{source} is neither a folder nor a zip file")
        found, problems = find_notebooks(folder, assignment)
        placed = []
        for student, notebook in found.items():
            try:
                nbformat.read(notebook, as_version=4)
            except Exception as error:  # not JSON, not a notebook: report, grade the others
                problems[student] = f"not a readable notebook ({type(error).__name__})"
                continue
            target = course / "submitted" / student / assignment
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(notebook, target / f"{assignment}.ipynb")
            placed.append(student)
    return placed, problems
