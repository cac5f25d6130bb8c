"""Grade a batch of hand-ins: `grade(assignment=..., submissions=..., course=...)` returns structured results.

Steps: regenerate the release; the canary (the reference solution graded in a throwaway course, same sandbox,
same limits; not full marks: stop); place the hand-ins (grading/collect.py: any LMS layout, an ID map, late
flags); autograde and feedback, either as one nbgrader run for the batch (jobs=1) or one task per student on
threads or a Dask cluster (grading/parallel.py); the grades CSV; one StudentResult per hand-in, read from the
gradebook and the autograded notebooks.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from . import sandbox
from .collect import HandIn, parse_deadline, place_submissions, read_id_map
from .parallel import default_jobs, make_tasks, merge_into_course, run_tasks
from .paths import course_readable, data_root
from .report import (
    cell_seconds,
    error_text,
    first_error,
    nbgrader_meta,
    read_notebook,
    runaway_problems,
    setup_failure,
    static_tampering,
    tampering_found,
)

# Exit statuses of the command (README, "For instructors").
OK, STUDENT_PROBLEMS, NOT_STARTED, INFRASTRUCTURE = 0, 1, 2, 3
CANARY = "reference"


class GradingError(RuntimeError):
    """The command cannot start or go on; the message says what to do."""


@dataclass
class CellResult:
    """One autograded test cell of one notebook."""

    grade_id: str
    score: float | None
    max_score: float
    error: str | None = None
    seconds: float | None = None


@dataclass
class StudentResult:
    """One hand-in: autograded points, the student's problems, flags for review, and failures of the machinery."""

    student: str
    cells: list[CellResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    infrastructure: list[str] = field(default_factory=list)
    seconds: float | None = None
    late: bool = False
    submitted_at: str | None = None

    @property
    def graded(self) -> bool:
        """Whether the notebook was autograded (it has cells with scores)."""
        return bool(self.cells)

    @property
    def score(self) -> float | None:
        """Autograded points, or None when the notebook was not graded."""
        return sum(c.score or 0 for c in self.cells) if self.cells else None

    @property
    def max_score(self) -> float | None:
        """Autograded points available, or None when the notebook was not graded."""
        return sum(c.max_score for c in self.cells) if self.cells else None

    def scores(self) -> dict[str, float]:
        """{grade_id: autograded points} of this notebook's test cells."""
        return {c.grade_id: c.score or 0 for c in self.cells}


@dataclass
class BatchResult:
    """The whole run: the canary, every hand-in, and failures that concern the batch."""

    assignment: str
    canary: StudentResult | None
    students: list[StudentResult] = field(default_factory=list)
    infrastructure: list[str] = field(default_factory=list)
    canary_failure: str | None = None
    log: Path | None = None
    grades_csv: Path | None = None

    @property
    def exit_code(self) -> int:
        """0 all graded; 1 some hand-ins unreadable or missing; 2 not started (canary); 3 infrastructure failures."""
        if self.canary_failure:
            return NOT_STARTED
        if self.infrastructure or any(s.infrastructure for s in self.students):
            return INFRASTRUCTURE
        return STUDENT_PROBLEMS if any(not s.graded for s in self.students) else OK


def nbgrader(arguments: list[str], course: Path, env: dict[str, str], log, on_line=None) -> int:
    """Run one nbgrader command in `course`, copying its output to `log` and handing each line to `on_line`."""
    process = subprocess.Popen([sys.executable, "-m", "nbgrader", *arguments], cwd=course, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for line in process.stdout:
        log.write(line)
        if on_line is not None:
            on_line(line)
    return process.wait()


def grading_env(course: Path, work: Path, timeout: int | None) -> dict[str, str]:
    """nbgrader's environment: the venv's tools on PATH, the sandbox kernelspec on JUPYTER_PATH, the cell timeout."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # nbgrader calls `alembic`
    package_root = str(Path(__file__).resolve().parent.parent)  # so kernels can run `python -m grading.sandbox`
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(work / "jupyter"), env.get("JUPYTER_PATH")) if p)
    env["JUPYTER_RUNTIME_DIR"] = str(work / "runtime")
    env["TMPDIR"] = str(work / "runtime")  # nbclient writes kernels' connection files to the temp folder
    env["GRADING_COURSE_ROOT"] = str(course)
    if timeout:
        env["COURSE_CELL_TIMEOUT"] = str(timeout)
    return env


def sandbox_options(work: Path, memory_mb: int, processes: int, cpu_seconds: int, cgroup: Path | None) -> list[str]:
    """Write the sandbox kernelspec; return nbgrader's options that use it (kernel over Unix sockets, no network)."""
    env = {"GRADING_DATA_ROOT": str(data_root()), "GRADING_PROCESSES": str(processes),
           "GRADING_CPU_SECONDS": str(cpu_seconds)}
    if cgroup is not None:
        env["GRADING_PIDS_CGROUP"] = str(cgroup)
    name = sandbox.write_kernelspec(work / "jupyter", course_readable(), memory_mb, env)
    return [f"--Execute.kernel_name={name}", "--KernelManager.transport=ipc",
            f"--KernelManager.ip={work / 'runtime' / 'kernel-ipc'}"]


def grade_cells(course: Path, assignment: str, student: str, notebook) -> list[CellResult]:
    """The autograded test cells of one student, scores from the gradebook, errors and times from the notebook."""
    by_id = {nbgrader_meta(c).get("grade_id"): c for c in notebook.cells}
    cells = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        try:
            graded = gradebook.find_submission_notebook(assignment, assignment, student)
        except MissingEntry:
            return []
        for grade in sorted(graded.grades, key=lambda g: list(by_id).index(g.name) if g.name in by_id else 0):
            if grade.cell_type != "code":
                continue
            cell = by_id.get(grade.name, {})
            error = first_error(cell) if cell else None
            cells.append(CellResult(grade.name, grade.auto_score, grade.max_score,
                                    error_text(error) if error else None, cell_seconds(cell) if cell else None))
    return cells


def placing_problems(submitted: Path, source) -> list[str]:
    """Test cells the student deleted (put back by nbgrader) or duplicated (graded once)."""
    if not submitted.exists():
        return []
    ids = [nbgrader_meta(c).get("grade_id") for c in read_notebook(submitted).cells]
    tests = [nbgrader_meta(c)["grade_id"] for c in source.cells if nbgrader_meta(c).get("grade")]
    problems = [f"test cell {t} was missing: added back" for t in tests if t not in ids]
    problems += [f"cell {i} appears more than once: one copy is graded" for i in dict.fromkeys(ids)
                 if i and ids.count(i) > 1]
    return problems


def log_section(log: str, student: str) -> str:
    """The lines of nbgrader's log written while it worked on one student's notebook."""
    lines, inside = [], False
    for line in log.splitlines():
        if "/submitted/" in line and ("Sanitizing" in line or "Autograding" in line):
            inside = f"/submitted/{student}/" in line
        if inside or f"student '{student}'" in line:
            lines.append(line)
    return "\n".join(lines)


def student_result(course: Path, assignment: str, student: str, source, log: str) -> StudentResult:
    """Everything known about one placed hand-in after autograding."""
    result = StudentResult(student)
    result.problems = placing_problems(course / "submitted" / student / assignment / f"{assignment}.ipynb", source)
    path = course / "autograded" / student / assignment / f"{assignment}.ipynb"
    if not path.exists():
        died = "DeadKernelError" in log_section(log, student) or "Kernel died" in log_section(log, student)
        result.infrastructure.append("infrastructure: the kernel died (a crash, or the memory or CPU limit): "
                                     "not graded, review and regrade" if died else
                                     "infrastructure: nbgrader could not grade this notebook: see the log")
        return result
    notebook = read_notebook(path)
    result.cells = grade_cells(course, assignment, student, notebook)
    if not result.cells:
        result.infrastructure.append("infrastructure: the notebook is not in the gradebook: see the log")
    if (failure := setup_failure(notebook, source)) is not None:
        result.infrastructure.append(f"infrastructure: set-up cell {failure} failed")
    result.problems += runaway_problems(notebook)
    failed = [c.grade_id for c in result.cells if (c.score or 0) < c.max_score]
    if failed:
        result.problems.append("tests failed: " + ", ".join(failed))
    result.flags = tampering_found(notebook) + static_tampering(notebook)
    times = [t for t in (cell_seconds(c) for c in notebook.cells) if t is not None]
    result.seconds = sum(times) if times else None
    return result


def canary_failure(result: StudentResult) -> str | None:
    """One sentence naming the reference's first failing cell and its error, or None when it got full marks."""
    if result.graded and result.score == result.max_score and not result.infrastructure:
        return None
    if not result.graded:
        return f"the reference solution could not be graded ({'; '.join(result.infrastructure)})"
    cell = next((c for c in result.cells if (c.score or 0) < c.max_score), None)
    setup = next((i for i in result.infrastructure if "set-up" in i), None)
    where = setup.removeprefix("infrastructure: ") if setup else \
        f"cell {cell.grade_id} failed ({cell.error or 'no error shown: a wrong value'})"
    return f"the reference solution scored {result.score:g} / {result.max_score:g} in the sandbox: {where}"


def run_canary(course: Path, assignment: str, env: dict[str, str], options: list[str], work: Path, log) -> StudentResult:
    """Grade the reference solution in a throwaway copy of the course, with the batch's sandbox and limits.

    The copy holds the config, the assignment's source and the gradebook (after generate_assignment).
    """
    copy = work / "canary"
    (copy / "solutions").mkdir(parents=True)
    shutil.copy(course / "nbgrader_config.py", copy)
    shutil.copytree(course / "solutions" / assignment, copy / "solutions" / assignment)
    canary_env = {**env, "GRADING_COURSE_ROOT": str(copy)}
    shutil.copy(course / "gradebook.db", copy)  # the source's cells, as generate_assignment just recorded them
    target = copy / "submitted" / CANARY / assignment
    target.mkdir(parents=True)
    shutil.copy(course / "solutions" / assignment / f"{assignment}.ipynb", target)
    started = time.perf_counter()
    nbgrader(["autograde", assignment, "--force", *options], copy, canary_env, log)
    source = read_notebook(course / "solutions" / assignment / f"{assignment}.ipynb")
    result = student_result(copy, assignment, CANARY, source, Path(log.name).read_text(encoding="utf-8"))
    result.seconds = time.perf_counter() - started
    return result


def check_course(course: Path, assignment: str, sandboxed: bool) -> None:
    """Raise GradingError unless `course` is a course root with the assignment, and bwrap works when needed."""
    if not (course / "nbgrader_config.py").is_file() or not (course / "solutions" / assignment).is_dir():
        raise GradingError(f"{course} is not a course root with solutions/{assignment}/ (use --course)")
    if sandboxed and not sandbox.bwrap_works():
        raise GradingError("bubblewrap (bwrap) is missing or cannot make namespaces here: install it "
                           "(apt-get install bubblewrap), or pass --no-sandbox to grade without isolation")


def batch_infrastructure(students: list[StudentResult]) -> list[str]:
    """Failures of the batch as a whole: the set-up cell failed for every student graded."""
    graded = [s for s in students if s.graded]
    setups = [next((i for i in s.infrastructure if "set-up" in i), None) for s in graded]
    if graded and all(setups):
        return [f"infrastructure: the set-up cell failed for every student (first: {setups[0]}): "
                "check the data, pretrained/ and the sandbox"]
    return []


def autograde_batch(course: Path, assignment: str, students: list[str], env: dict[str, str], options: list[str],
                    log, progress: bool) -> None:
    """One nbgrader autograde run over this batch (earlier hand-ins in submitted/ are left as they were graded)."""
    others = sorted({p.parent.name for p in course.glob(f"submitted/*/{assignment}")} - set(students))
    extra = [f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else []
    from tqdm.auto import tqdm

    with tqdm(total=len(students), desc=f"autograde {assignment}", unit="student", disable=not progress) as bar:
        def advance(line: str) -> None:
            """Move the bar on when nbgrader starts on a placed student's notebook."""
            student = line.split("/submitted/")[-1].split("/")[0] if "] Sanitizing " in line else None
            if student in students:
                bar.set_postfix_str(student)
                bar.update(1)

        nbgrader(["autograde", assignment, "--force", *options, *extra], course, env, log, advance)


def grade_students(course: Path, assignment: str, students: list[str], env: dict[str, str], options: list[str],
                   log, progress: bool, jobs: int, scheduler: str | None, limits: dict) -> dict[str, float]:
    """Autograde and write feedback for the placed students: one batch run, or one task each in parallel.

    Returns the seconds each student's task took ({} for the one batch run, where cell times are used).
    """
    if jobs <= 1 and scheduler is None:
        autograde_batch(course, assignment, students, env, options, log, progress)
        nbgrader(["generate_feedback", assignment, "--force"], course, env, log)
        return {}
    from tqdm.auto import tqdm

    tasks = make_tasks(course, assignment, students, **limits)  # the gradebook knows the assignment: just generated
    seconds = {}
    with tqdm(total=len(tasks), desc=f"autograde {assignment} ({scheduler or f'{jobs} jobs'})", unit="student",
              disable=not progress) as bar:
        def done(task, graded) -> None:
            """Write one finished student into the course (here only: the gradebook has one writer)."""
            merge_into_course(course, assignment, task.student, graded)
            log.write(graded.log)
            seconds[task.student] = graded.seconds
            bar.update(1)

        run_tasks(tasks, jobs, scheduler, done)
    return seconds


def describe_hand_in(result: StudentResult, hand_in: HandIn) -> StudentResult:
    """Add what placing found (late, the ID map, several hand-ins) to a student's result."""
    result.late = hand_in.late
    result.submitted_at = hand_in.submitted_at.isoformat() if hand_in.submitted_at else None
    result.flags += hand_in.notes
    return result


def grade(*, assignment: str, submissions: Path, course: Path, timeout: int | None = None,
          memory_mb: int = sandbox.MEMORY_MB, processes: int = sandbox.PROCESSES,
          cpu_seconds: int = sandbox.CPU_SECONDS, sandboxed: bool = True, canary: bool = True,
          grades_csv: Path | None = None, progress: bool = True, jobs: int = 1, scheduler: str | None = None,
          threads: int | None = None, id_map: Path | dict[str, str] | None = None,
          deadline: str | None = None) -> BatchResult:
    """Grade every hand-in in `submissions` (a folder or zip) for `assignment` in the course at `course`.

    jobs > 1 grades that many students at once on this machine, each kernel with `threads` threads (default:
    the cores shared out); scheduler (a Dask scheduler's address) sends each student to the cluster instead.
    id_map (a CSV path or a dict) maps the LMS's names to student ids; deadline (ISO 8601) flags late hand-ins.
    Raises GradingError when it cannot start; returns the batch's results otherwise (see BatchResult.exit_code).
    """
    course = course.resolve()
    check_course(course, assignment, sandboxed)
    names = read_id_map(id_map) if isinstance(id_map, Path) else id_map
    due = parse_deadline(deadline) if deadline else None
    threads = threads or max(1, default_jobs() // max(1, jobs))
    limits = {"timeout": timeout, "memory_mb": memory_mb, "processes": processes, "cpu_seconds": cpu_seconds,
              "sandboxed": sandboxed, "threads": threads}
    logs = course / "grading_logs"
    logs.mkdir(exist_ok=True)
    log_path = logs / f"{assignment}.log"
    cgroup = sandbox.make_batch_cgroup() if sandboxed else None
    try:
        with tempfile.TemporaryDirectory(prefix="grading-") as scratch, \
                open(log_path, "w", encoding="utf-8", buffering=1) as log:
            work = Path(scratch)
            (work / "runtime").mkdir()
            env = grading_env(course, work, timeout)
            options = sandbox_options(work, memory_mb, processes, cpu_seconds, cgroup) if sandboxed else []
            if nbgrader(["generate_assignment", assignment, "--force"], course, env, log) != 0:
                raise GradingError(f"nbgrader generate_assignment failed: see {log_path}")
            reference = run_canary(course, assignment, env, options, work, log) if canary else None
            batch = BatchResult(assignment, reference, log=log_path)
            batch.canary_failure = canary_failure(reference) if reference else None
            if batch.canary_failure:
                return batch
            placed, unplaced = place_submissions(submissions.resolve(), assignment, course, names, due)
            students = [hand_in.student for hand_in in placed]
            seconds = grade_students(course, assignment, students, env, options, log, progress, jobs, scheduler,
                                     limits)
            batch.grades_csv = (grades_csv or course / "grades.csv").resolve()
            nbgrader(["export", f"--to={batch.grades_csv}"], course, env, log)
    finally:
        sandbox.remove_batch_cgroup(cgroup)
    log_text = log_path.read_text(encoding="utf-8")
    source = read_notebook(course / "solutions" / assignment / f"{assignment}.ipynb")
    for hand_in in placed:
        result = describe_hand_in(student_result(course, assignment, hand_in.student, source, log_text), hand_in)
        result.seconds = seconds.get(hand_in.student, result.seconds)
        batch.students.append(result)
    batch.students += [StudentResult(s, problems=[p]) for s, p in unplaced.items()]
    batch.students.sort(key=lambda s: s.student)
    batch.infrastructure = batch_infrastructure(batch.students)
    return batch
