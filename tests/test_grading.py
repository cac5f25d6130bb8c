"""The grading pipeline end to end, in a temporary course with a throwaway gradebook.

For every assignment in solutions/: the committed release is what nbgrader generates now; the
solution autogrades to full marks and the blank release to zero; neither the release nor the
feedback contains solution code or hidden tests. For the first assignment also: answers that only
fit the visible tests fail the hidden ones, and an infinite loop times out instead of hanging.
"""
import html
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from traitlets.config.loader import PyFileConfigLoader

from conftest import REPO

pytestmark = pytest.mark.slow

ASSIGNMENTS = sorted(p.parent.name for p in REPO.glob("solutions/*/*.ipynb") if p.stem == p.parent.name)
if os.environ.get("GRADING_ONLY"):  # e.g. GRADING_ONLY=gan,char_rnn while working on those assignments
    ASSIGNMENTS = [a for a in ASSIGNMENTS if a in os.environ["GRADING_ONLY"].split(",")]
REGENERATE = "run `nbgrader generate_assignment {0} --force` from the repository root and commit assignments/{0}/"


def nbgrader(arguments: list[str], course: Path, **extra_env: str) -> subprocess.CompletedProcess:
    """Run one nbgrader command in the course folder and return the finished process."""
    env = {**os.environ, **extra_env}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # nbgrader calls `alembic`
    return subprocess.run([sys.executable, "-m", "nbgrader", *arguments], cwd=course, env=env,
                          capture_output=True, text=True, timeout=1800)


def split_lines(notebook, begin: str, end: str) -> tuple[set[str], set[str]]:
    """Stripped lines inside and outside the `### BEGIN <x>` ... `### END <x>` regions of all cells."""
    inside, outside, within = set(), set(), False
    for cell in notebook.cells:
        for line in cell.source.splitlines():
            if begin in line:
                within = True
            elif end in line:
                within = False
            elif line.strip():
                (inside if within else outside).add(line.strip())
    return inside, outside


def secret_lines(notebook, begin: str, end: str) -> set[str]:
    """Specific lines (12+ characters) found only inside the marked regions: their presence elsewhere is a leak."""
    inside, outside = split_lines(notebook, begin, end)
    return {line for line in inside - outside if len(line) >= 12}


def normalize(text: str) -> str:
    return " ".join(text.split())


def html_text(path: Path) -> str:
    """The visible text of an HTML page: tags removed, entities decoded, whitespace collapsed."""
    return normalize(html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))))


def source_notebook(assignment: str):
    return nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


def submit(course: Path, student: str, assignment: str, notebook) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{assignment}.ipynb")


def scores(course: Path, assignment: str, student: str) -> dict[str, tuple[float | None, float]]:
    """{grade cell id: (auto score, max score)} of one student's autograded code cells."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(assignment, assignment, student)
        return {grade.name: (grade.auto_score, grade.max_score) for grade in notebook.grades if grade.cell_type == "code"}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course folder with this repository's config and solutions, releases generated afresh."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions", root / "solutions")
    for assignment in ASSIGNMENTS:
        result = nbgrader(["generate_assignment", assignment, "--force"], root)
        assert result.returncode == 0, result.stderr[-3000:]
    return root


def hard_coded(assignment: str):
    """The solution with conv_output_size replaced by a table of the visible tests' answers."""
    notebook = source_notebook(assignment)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "conv_output_size")
    cell.source = (
        "def conv_output_size(input_size, kernel_size, stride=1, padding=0):\n"
        "    return {(32, 5, 1, 0): 28, (28, 5, 1, 0): 24, (28, 2, 2, 0): 14, (28, 5, 1, 2): 28}[(input_size, kernel_size, stride, padding)]"
    )
    return notebook


@pytest.fixture(scope="module")
def graded(course) -> Path:
    """Autograde, for every assignment, the solution, the blank release (and a hard-coded answer), then make feedback."""
    for assignment in ASSIGNMENTS:
        submit(course, "solution", assignment, source_notebook(assignment))
        submit(course, "blank", assignment, nbformat.read(course / "assignments" / assignment / f"{assignment}.ipynb", as_version=4))
        if assignment == "modified_lenet":
            submit(course, "hardcoder", assignment, hard_coded(assignment))
        result = nbgrader(["autograde", assignment, "--force"], course)
        assert result.returncode == 0, result.stderr[-3000:]
        result = nbgrader(["generate_feedback", assignment, "--force"], course)
        assert result.returncode == 0, result.stderr[-3000:]
    return course


def test_there_are_assignments():
    assert ASSIGNMENTS, "no assignment found in solutions/ (or GRADING_ONLY names none)"


def test_config_sets_a_cell_timeout(monkeypatch):
    monkeypatch.delenv("COURSE_CELL_TIMEOUT", raising=False)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.Execute.timeout == 180
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "assignments"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_release_is_current(course, assignment):
    generated = nbformat.read(course / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    committed_path = REPO / "assignments" / assignment / f"{assignment}.ipynb"
    assert committed_path.exists(), f"assignments/{assignment} is missing: " + REGENERATE.format(assignment)
    committed = nbformat.read(committed_path, as_version=4)
    assert committed == generated, f"assignments/{assignment} is out of date: " + REGENERATE.format(assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_hides_solutions_and_hidden_tests(assignment):
    source = source_notebook(assignment)
    release_text = (REPO / "assignments" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8")
    release = nbformat.reads(release_text, as_version=4)
    text = "\n".join(cell.source for cell in release.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    secrets = secret_lines(source, "BEGIN SOLUTION", "END SOLUTION") | secret_lines(source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    assert secrets, "the solution notebook should have solution regions and hidden tests"
    leaked = [line for line in secrets if line in text]
    assert not leaked, f"the release shows solution or hidden-test lines: {leaked[:3]}"
    assert all(not cell.get("outputs") for cell in release.cells), "the release must be committed without outputs"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_gets_full_marks(graded, assignment):
    result = scores(graded, assignment, "solution")
    assert result, "no autograded cells were found"
    short = {cell: score for cell, score in result.items() if score[0] != score[1]}
    assert not short, f"the solution lost points in {short}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_release_gets_zero(graded, assignment):
    result = scores(graded, assignment, "blank")
    earned = {cell: score for cell, score in result.items() if score[0]}
    assert not earned, f"the unmodified release earned points in {earned}"


@pytest.mark.skipif("modified_lenet" not in ASSIGNMENTS, reason="GRADING_ONLY leaves modified_lenet out")
def test_answers_fitted_to_visible_tests_fail_hidden_ones(graded):
    result = scores(graded, "modified_lenet", "hardcoder")
    assert result["test_conv_output_size"][0] == 0, "the hard-coded table passed the hidden tests"
    assert result["test_model"][0] == result["test_model"][1], "the rest of the hard-coder's notebook is correct"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_shows_no_hidden_tests(graded, assignment):
    hidden = [normalize(line) for line in secret_lines(source_notebook(assignment), "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")]
    students = ["solution", "blank"] + (["hardcoder"] if assignment == "modified_lenet" else [])
    for student in students:
        page = html_text(graded / "feedback" / student / assignment / f"{assignment}.html")
        assert "visible" in page or "check" in page, "the feedback should still show the visible tests"
        leaked = [line for line in hidden if line in page]
        assert not leaked, f"{student}'s feedback shows hidden-test lines: {leaked[:3]}"


@pytest.mark.skipif("modified_lenet" not in ASSIGNMENTS, reason="GRADING_ONLY leaves modified_lenet out")
def test_hidden_test_failures_show_only_their_message(graded):
    page = html_text(graded / "feedback" / "hardcoder" / "modified_lenet" / "modified_lenet.html")
    section = page.split("Grade cell: test_conv_output_size")[1].split("Part 2:")[0]
    assert "KeyError: (224, 11, 4, 2)" in section, "the hidden test's failure should still be reported"
    assert "Traceback" not in section and "conv_output_size(*args)" not in section, "the traceback quotes the hidden test"


def test_an_infinite_loop_times_out_and_grading_goes_on(course):
    assignment = "modified_lenet" if "modified_lenet" in ASSIGNMENTS else ASSIGNMENTS[0]
    notebook = source_notebook(assignment)
    first_solution = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
    first_solution.source = "while True:\n    pass\n" + first_solution.source
    submit(course, "looper", assignment, notebook)
    started = time.perf_counter()
    # 20 s: longer than any setup cell's imports take, far shorter than the default 180 s
    result = nbgrader(["autograde", assignment, "--student", "looper", "--force"], course, COURSE_CELL_TIMEOUT="20")
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-3000:]
    assert elapsed < 300, f"grading a looping notebook took {elapsed:.0f} s: the cell timeout did not stop it"
    result_scores = scores(course, assignment, "looper")
    assert any(score[0] == 0 for score in result_scores.values()), "the looping cell's test should fail"
    assert any(score[0] and score[0] == score[1] for score in result_scores.values()), "cells after the loop should still be graded"
