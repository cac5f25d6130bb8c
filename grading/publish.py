"""`python -m grading publish DEST`: the student-facing course, without solutions and without hidden tests.

The instructor's repository holds `solutions/` (every hidden test) and the grading tools: keep it private and give
students DEST (push it to a public repository, or copy it to the hub). DEST holds the lectures, the released
assignments, `utils` with the pretrained network, a student README and a pyproject.toml that installs `utils`
alone. Before anything is written, every published text is checked for nbgrader's solution and hidden-test
markers and for any line of a hidden test that the release does not show: a leak stops the command.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

PUBLISHED = ["lectures", "assignments", "utils", "pretrained", "environment.yml", ".gitignore"]
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
STUDENT_SECTIONS = ("Set up", "Data", "For students")
IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")


HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)
SOLUTION = re.compile(r"### BEGIN SOLUTION.*?### END SOLUTION", re.S)


def secret_lines(course: Path) -> set[str]:
    """Lines (stripped, 12 characters or more) of the hidden tests in solutions/ that no visible cell shows too."""
    hidden, shown = set(), set()
    for notebook in course.glob("solutions/*/*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            for block in HIDDEN.findall(source):
                hidden.update(line.strip() for line in block.splitlines()[1:-1] if len(line.strip()) >= 12)
            shown.update(line.strip() for line in SOLUTION.sub("", HIDDEN.sub("", source)).splitlines())
    return hidden - shown


def published_texts(root: Path) -> dict[str, str]:
    """{relative path: text} of every text file under root (a notebook as its cells' sources and outputs)."""
    texts = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # weights and pictures
        if path.suffix == ".ipynb":
            cells = json.loads(text)["cells"]
            text = "\n".join("".join(c["source"]) + "\n" + json.dumps(c.get("outputs", []), indent=0) for c in cells)
        texts[str(path.relative_to(root))] = text
    return texts


def secrets_in(root: Path, course: Path) -> list[str]:
    """Where the tree under root shows a solution marker or a hidden test's line (empty when it is clean)."""
    texts = published_texts(root)
    published_lines = {line.strip() for text in texts.values() for line in text.splitlines()}
    lectures = {line.strip() for path, text in texts.items() if not path.startswith("assignments/")
                for line in text.splitlines()}
    secret = secret_lines(course) - lectures  # a line the lectures or utils teach is no secret
    found = [f"{path}: nbgrader marker {marker!r}" for path, text in texts.items() for marker in MARKERS if marker in text]
    found += [f"a hidden test's line is published: {line!r}" for line in sorted(secret & published_lines)]
    found += [f"{name}/ is published" for name in ("solutions", "grading", "tests") if (root / name).exists()]
    return found


def student_readme(course: Path) -> str:
    """The README's sections for students, under a short header."""
    text = (course / "README.md").read_text(encoding="utf-8")
    title = text.splitlines()[0]
    sections = re.split(r"(?m)^## ", text)[1:]
    kept = [f"## {s.rstrip()}\n" for s in sections if s.split("\n", 1)[0].strip() in STUDENT_SECTIONS]
    return (f"{title}\n\nThe student edition: lectures, assignments (student versions) and the `utils` package. "
            "Hand in your assignments as your instructor says.\n\n" + "\n".join(kept))


def student_pyproject(course: Path) -> str:
    """A pyproject.toml that installs `utils` (with its pretrained network) and the lab, nothing of grading."""
    project = tomllib.loads((course / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dependencies = ",\n".join(f'    "{d}"' for d in project["dependencies"])
    lab = project["optional-dependencies"]["lab"]
    return f'''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{project['name']}"
version = "{project['version']}"
description = "{project['description']}"
readme = "README.md"
requires-python = "{project['requires-python']}"
dependencies = [
{dependencies},
]

[project.optional-dependencies]
lab = {json.dumps(lab)}

[tool.setuptools]
packages = ["utils", "utils.pretrained"]

[tool.setuptools.package-dir]
"utils.pretrained" = "pretrained"

[tool.setuptools.package-data]
"utils.pretrained" = ["*.pt", "*.json"]
'''


def publish(course: Path, destination: Path) -> list[str]:
    """Write the student edition of the course at `course` into `destination` (new or empty); return its files."""
    course, destination = course.resolve(), destination.resolve()
    if destination.exists() and any(destination.iterdir()):
        raise ValueError(f"{destination} is not empty: publish into a new folder")
    if course == destination or course in destination.parents:
        raise ValueError(f"{destination} lies inside the course: publish outside it")
    staging = destination.with_name(destination.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in PUBLISHED:
        source = course / name
        if source.is_dir():
            shutil.copytree(source, staging / name, ignore=IGNORED)
        elif source.is_file():
            shutil.copy2(source, staging / name)
    (staging / "README.md").write_text(student_readme(course), encoding="utf-8")
    (staging / "pyproject.toml").write_text(student_pyproject(course), encoding="utf-8")
    leaks = secrets_in(staging, course)
    if leaks:
        shutil.rmtree(staging)
        raise ValueError("not published, secrets found: " + "; ".join(leaks[:5]))
    destination.mkdir(parents=True, exist_ok=True)
    for item in staging.iterdir():
        item.rename(destination / item.name)
    staging.rmdir()
    return sorted(str(p.relative_to(destination)) for p in destination.rglob("*") if p.is_file())


def main(argv: list[str]) -> int:
    """`python -m grading publish DEST [--course DIR]`; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m grading publish", description=__doc__.split("\n")[0])
    parser.add_argument("destination", type=Path, help="a new or empty folder for the student edition")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course root (default: this folder)")
    args = parser.parse_args(argv)
    try:
        files = publish(args.course, args.destination)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"published {len(files)} files to {args.destination}: lectures, assignments, utils, pretrained; "
          "no solutions, no hidden tests. Give students this folder; keep the course repository private.")
    return 0
