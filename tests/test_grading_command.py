"""Every assignment graded end to end through the sandboxed command, one batch per assignment.

Each batch is one `grading.api.grade` call (the function `python -m grading` prints) in a throwaway course: the
canary grades the reference solution first (it must get full marks), then the blank release (must score 0) and
every hand-in of tests/submissions/<assignment>/*.py (format: tests/submissions/README.md) are graded together.
Also checked per assignment: the committed release is what nbgrader generates now, neither the release nor the
feedback shows solutions, hidden tests or the instructor's paths. GRADING_ONLY=a,b grades only those assignments.
"""
from __future__ import annotations

import html
import multiprocessing
import os
import re
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from conftest import REPO
from grading import api

pytestmark = pytest.mark.slow

ASSIGNMENTS = sorted(p.parent.name for p in REPO.glob("solutions/*/*.ipynb") if p.stem == p.parent.name)
if os.environ.get("GRADING_ONLY"):  # e.g. GRADING_ONLY=gan,char_rnn while working on those assignments
    ASSIGNMENTS = [a for a in ASSIGNMENTS if a in os.environ["GRADING_ONLY"].split(",")]
SUBMISSIONS = REPO / "tests" / "submissions"
REGENERATE = "run `nbgrader generate_assignment {0} --force` from the repository root and commit assignments/{0}/"
# Seconds per cell for batches that hold runaway hand-ins (an infinite loop costs one cell timeout).
TIMEOUTS = {"perceptron": 40}


@dataclass
class HandIn:
    """One file of tests/submissions: what it expects and the cells it changes."""

    student: str
    expect: str = "full"
    flags: list[str] = field(default_factory=list)
    base: str | None = None
    about: str = ""
    edits: list[tuple[str, str, str]] = field(default_factory=list)  # (cell | insert-before, grade_id, source)


def parse_hand_in(path: Path) -> HandIn:
    """Read one hand-in file: header lines `# key: value`, then `# %% cell: <id>` / `# %% insert-before: <id>` blocks."""
    hand_in, block = HandIn(path.stem), None
    for line in path.read_text(encoding="utf-8").splitlines():
        marker = re.match(r"# %% (cell|insert-before): *(\S+)\s*$", line)
        if marker:
            block = [marker.group(1), marker.group(2), []]
            hand_in.edits.append(block)
        elif block is not None:
            block[2].append(line)
        elif header := re.match(r"# (expect|flag|base|about): *(.*)$", line):
            key, value = header.groups()
            if key == "flag":
                hand_in.flags.append(value.strip())
            else:
                setattr(hand_in, key, value.strip())
    hand_in.edits = [(kind, grade_id, "\n".join(lines).strip("\n")) for kind, grade_id, lines in hand_in.edits]
    return hand_in


def hand_ins(assignment: str) -> dict[str, HandIn]:
    """The hand-ins written for `assignment`, by student."""
    return {p.stem: parse_hand_in(p) for p in sorted((SUBMISSIONS / assignment).glob("*.py"))}


def grade_index(notebook, grade_id: str, student: str) -> int:
    """The index of the cell with this grade_id; a clear failure when the release has none."""
    for index, cell in enumerate(notebook.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    raise AssertionError(f"{student}: the release has no cell {grade_id!r} (renamed? see tests/submissions/CHANGES.md)")


def apply(notebook, hand_in: HandIn, others: dict[str, HandIn]):
    """The notebook with `hand_in`'s base applied first, then its own edits."""
    if hand_in.base:
        assert hand_in.base in others, f"{hand_in.student}: base {hand_in.base!r} is not a hand-in of this assignment"
        notebook = apply(notebook, others[hand_in.base], others)
    for kind, grade_id, source in hand_in.edits:
        index = grade_index(notebook, grade_id, hand_in.student)
        if kind == "cell":
            notebook.cells[index].source = source
        else:
            notebook.cells.insert(index, nbformat.v4.new_code_cell(source))
    return notebook


def release(assignment: str):
    """The committed student version of an assignment."""
    return nbformat.read(REPO / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)


def source_notebook(assignment: str):
    """The instructor's version (solutions and hidden tests)."""
    return nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


def expected_scores(hand_in: HandIn, cells: list[api.CellResult]) -> dict[str, float]:
    """{grade_id: points} that `hand_in`'s expect line asks for."""
    if hand_in.expect == "total=0":
        return {c.grade_id: 0 for c in cells}
    zero = set(hand_in.expect.removeprefix("zero=").split(",")) if hand_in.expect.startswith("zero=") else set()
    return {c.grade_id: 0 if c.grade_id in zero else c.max_score for c in cells}


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
    """Whitespace collapsed."""
    return " ".join(text.split())


def html_text(path: Path) -> str:
    """The visible text of an HTML page: tags removed, entities decoded, whitespace collapsed."""
    return normalize(html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))))


def deleter(notebook):
    """A test cell deleted: nbgrader puts it back and grades it."""
    del notebook.cells[grade_index(notebook, "test_threshold_units", "deleter")]
    return notebook


def duplicator(notebook):
    """A solution cell and a test cell (its visible part) pasted twice: each is graded once."""
    at = grade_index(notebook, "predict", "duplicator")
    notebook.cells.insert(at, nbformat.from_dict(dict(notebook.cells[at])))
    at = grade_index(notebook, "test_update", "duplicator")
    notebook.cells.insert(at, nbformat.from_dict(dict(notebook.cells[at])))
    return notebook


# Hand-ins the submissions format cannot write (cells deleted or duplicated), built from a correct one.
RESTRUCTURED = {"perceptron": {"deleter": deleter, "duplicator": duplicator}}


@dataclass
class Batch:
    """One assignment's graded batch."""

    course: Path
    result: api.BatchResult
    hand_ins: dict[str, HandIn]
    seconds: float

    def student(self, name: str) -> api.StudentResult:
        """The result of one student; a clear failure when the command left it out."""
        assert not self.result.canary_failure, f"nobody was graded: {self.result.canary_failure}"
        found = [s for s in self.result.students if s.student == name]
        assert found, f"{self.result.assignment}/{name} is missing from the results"
        return found[0]


def grade_batch(assignment: str, root: Path) -> Batch:
    """Grade the blank release and every hand-in of `assignment` in one command run (canary first)."""
    course, folder = root / "course", root / "hand-ins"
    (course / "solutions").mkdir(parents=True)
    folder.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "solutions" / assignment, course / "solutions" / assignment)
    nbformat.write(release(assignment), folder / "blank.ipynb")
    found = hand_ins(assignment)
    for name, hand_in in found.items():
        nbformat.write(apply(release(assignment), hand_in, found), folder / f"{name}.ipynb")
    for name, make in RESTRUCTURED.get(assignment, {}).items():
        nbformat.write(make(apply(release(assignment), found["correct_loops"], found)), folder / f"{name}.ipynb")
    (folder / "garbage.ipynb").write_text("this is not JSON", encoding="utf-8")
    started = time.perf_counter()
    result = api.grade(assignment=assignment, submissions=folder, course=course, timeout=TIMEOUTS.get(assignment),
                       progress=False)
    seconds = time.perf_counter() - started
    print(f"\n{assignment}: canary {result.canary.seconds if result.canary else float('nan'):.0f} s, "
          f"batch of {len(found) + 2} in {seconds:.0f} s")
    return Batch(course, result, found, seconds)


# Batches graded side by side: each kernel is pinned to one thread, so two batches keep both cores busy without the
# oversubscription that slows a 2-thread torch job about threefold when another process runs beside it.
PARALLEL_BATCHES = int(os.environ.get("GRADING_PARALLEL_BATCHES", "2"))


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """A function assignment -> its Batch; the first call grades every assignment, PARALLEL_BATCHES at a time."""
    graded: dict = {}  # assignment -> the future of its Batch (a batch that raised fails its own tests only)

    def get(assignment: str) -> Batch:
        if not graded:
            pinned = {name: "1" for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
            saved = {name: os.environ.get(name) for name in pinned}
            os.environ.update(pinned)  # inherited by nbgrader and its kernels
            try:
                # processes, not threads: Python 3.11.7's ast module is not thread-safe (the report's static scan
                # raised "AST constructor recursion depth mismatch" when two batches parsed cells at once)
                context = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(max_workers=PARALLEL_BATCHES, mp_context=context) as pool:
                    # the slowest batches first, so the pool does not end on one long batch
                    order = sorted(ASSIGNMENTS, key=lambda a: -len(hand_ins(a)))
                    graded.update({a: pool.submit(grade_batch, a, tmp_path_factory.mktemp(a)) for a in order})
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
        return graded[assignment].result()
    return get


CASES = [(a, s) for a in ASSIGNMENTS for s in hand_ins(a)]


def test_there_are_assignments_and_hand_ins():
    assert ASSIGNMENTS, "no assignment found in solutions/ (or GRADING_ONLY names none)"
    for path in SUBMISSIONS.glob("*/*.py"):
        hand_in = parse_hand_in(path)
        assert re.fullmatch(r"full|total=0|zero=[\w,]+", hand_in.expect), f"{path}: unknown expect line {hand_in.expect!r}"
        assert hand_in.edits, f"{path}: no `# %% cell:` block"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_hides_solutions_and_hidden_tests(assignment):
    source = source_notebook(assignment)
    text = "\n".join(cell.source for cell in release(assignment).cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    secrets = secret_lines(source, "BEGIN SOLUTION", "END SOLUTION") | secret_lines(source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    assert secrets, "the solution notebook should have solution regions and hidden tests"
    leaked = [line for line in secrets if line in text]
    assert not leaked, f"the release shows solution or hidden-test lines: {leaked[:3]}"
    assert all(not cell.get("outputs") for cell in release(assignment).cells), "commit the release without outputs"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_gets_full_marks_in_the_sandbox(batches, assignment):
    batch = batches(assignment)
    assert not batch.result.canary_failure, batch.result.canary_failure
    canary = batch.result.canary
    assert canary.graded and canary.score == canary.max_score, f"the reference scored {canary.scores()}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_release_is_current(batches, assignment):
    generated = nbformat.read(batches(assignment).course / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    assert release(assignment) == generated, f"assignments/{assignment} is out of date: " + REGENERATE.format(assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_release_gets_zero_and_the_batch_is_reported(batches, assignment):
    batch = batches(assignment)
    blank = batch.student("blank")
    assert blank.graded and blank.score == 0, f"the unmodified release earned points: {blank.scores()}"
    assert not blank.infrastructure, blank.infrastructure
    garbage = batch.student("garbage")
    assert not garbage.graded and "not a readable notebook" in garbage.problems[0]
    assert not batch.result.infrastructure, batch.result.infrastructure
    graded = {s.student for s in batch.result.students if s.graded}
    assert graded >= {"blank", *batch.hand_ins}, f"not graded: {({'blank', *batch.hand_ins}) - graded}"
    assert batch.result.exit_code in (api.STUDENT_PROBLEMS, api.INFRASTRUCTURE), "garbage.ipynb makes the status 1"
    grades = (batch.course / "grades.csv").read_text(encoding="utf-8")
    assert "blank" in grades, "the grades CSV should list the batch"


@pytest.mark.parametrize("assignment,student", CASES)
def test_hand_in_scores_what_it_deserves(batches, assignment, student):
    batch = batches(assignment)
    hand_in, result = batch.hand_ins[student], batch.student(student)
    if hand_in.expect == "total=0" and not result.graded:
        assert result.infrastructure, f"{assignment}/{student} was not graded and nothing says why"
    else:
        assert result.graded, f"{assignment}/{student} was not graded: {result.infrastructure + result.problems}"
        wanted = expected_scores(hand_in, result.cells)
        wrong = [f"{cell} scored {result.scores()[cell]:g}, expected {points:g}" for cell, points in wanted.items()
                 if result.scores()[cell] != points]
        assert not wrong, f"{assignment}/{student} ({hand_in.about}): " + "; ".join(wrong) + \
            f"; errors: { {c.grade_id: c.error for c in result.cells if c.error} }"
    said = "; ".join(result.infrastructure + result.flags + result.problems)
    for flag in hand_in.flags:
        assert flag in said, f"{assignment}/{student}: the summary should say {flag!r}, it says: {said or 'nothing'}"
    if student.startswith("correct_"):
        assert not result.flags, f"{assignment}/{student} is correct work, but the summary flags it: {result.flags}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_shows_no_hidden_tests_nor_instructor_paths(batches, assignment):
    batch = batches(assignment)
    assert not batch.result.canary_failure, f"nobody was graded: {batch.result.canary_failure}"
    hidden = [normalize(line) for line in secret_lines(source_notebook(assignment), "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")]
    pages = sorted((batch.course / "feedback").glob(f"*/{assignment}/{assignment}.html"))
    assert len(pages) >= 1 + len(batch.hand_ins) - 1, "feedback is missing for some students"
    for page in pages:
        student, text = page.parent.parent.name, html_text(page)
        assert "visible" in text or "check" in text, f"{student}'s feedback should still show the visible tests"
        submitted = batch.course / "submitted" / student / assignment / f"{assignment}.ipynb"
        own = {normalize(line) for cell in nbformat.read(submitted, as_version=4).cells for line in cell.source.splitlines()}
        leaked = [line for line in hidden if line in text and line not in own]  # a student may write the same line
        assert not leaked, f"{student}'s feedback shows hidden-test lines: {leaked[:3]}"
        for path in {str(batch.course), str(REPO), str(Path.home()), "/work/"}:
            assert path not in text, f"{student}'s feedback shows the instructor's path {path}"


@pytest.mark.skipif("perceptron" not in ASSIGNMENTS, reason="GRADING_ONLY leaves perceptron out")
def test_deleted_and_duplicated_cells_are_graded_once_and_reported(batches):
    batch = batches("perceptron")
    for student, problem in (("deleter", "test cell test_threshold_units was missing"),
                             ("duplicator", "appears more than once")):
        result = batch.student(student)
        assert result.graded and result.score == result.max_score, f"{student}: {result.scores()}"
        assert any(problem in p for p in result.problems), f"{student}: {result.problems}"


@pytest.mark.skipif("transfer_learning" not in ASSIGNMENTS, reason="GRADING_ONLY leaves transfer_learning out")
def test_the_canary_stops_a_broken_course_before_grading_anyone(tmp_path, monkeypatch, capsys):
    """With pretrained/ left out of the sandbox, transfer_learning's set-up cell fails: exit 2, nobody graded."""
    from grading import cli
    from grading.paths import data_root, utils_dir

    monkeypatch.setattr(api, "course_readable", lambda: [utils_dir(), data_root()])
    course, folder = tmp_path / "course", tmp_path / "hand-ins"
    (course / "solutions").mkdir(parents=True)
    folder.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "solutions" / "transfer_learning", course / "solutions" / "transfer_learning")
    shutil.copy(REPO / "solutions" / "transfer_learning" / "transfer_learning.ipynb", folder / "ada.ipynb")
    assert cli.main(["transfer_learning", str(folder), "--course", str(course)]) == 2
    message = capsys.readouterr().err
    assert "canary failed: the reference solution scored 0 /" in message and "no student was graded" in message
    assert "set-up cell setup" in message or "cell setup" in message, message
    assert not (course / "submitted").exists() and not (course / "autograded").exists()
