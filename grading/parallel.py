"""Grading many students at once: one task per student, each in its own scratch course, on threads or a Dask cluster.

nbgrader's gradebook is one SQLite file and nbgrader has no parallel autograde, so a task never touches the
course: it receives the files it needs as bytes (the configuration, the assignment's source, a gradebook that
knows the assignment, the student's hand-in), grades them with the same sandbox and limits as a batch, and
returns bytes and plain values (the autograded notebook, the feedback, the scores and comments of each cell).
The coordinator alone writes into the course: files into autograded/ and feedback/, and the gradebook through
nbgrader's API. A task can therefore run on another machine, as long as it has the course's Python
environment and its data root (see the README, "Grading on several machines").
"""
from __future__ import annotations

import os
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@dataclass
class GradingTask:
    """Everything one student's grading needs, as bytes and plain values (it may travel to another machine)."""

    assignment: str
    student: str
    files: dict[str, bytes]  # course-relative path -> content
    timeout: int | None
    memory_mb: int
    processes: int
    cpu_seconds: int
    sandboxed: bool
    threads: int


@dataclass
class GradedTask:
    """What a task sends back: the files nbgrader wrote, the gradebook's values, the log, the time it took.

    The coordinator reads the student's result from the course once these are merged (the static scan of the
    notebook parses Python, which is not safe in threads on every Python 3.11).
    """

    files: dict[str, bytes] = field(default_factory=dict)
    gradebook: dict = field(default_factory=dict)
    log: str = ""
    seconds: float = 0.0


def read_files(course: Path, relative: list[Path]) -> dict[str, bytes]:
    """{course-relative path: bytes} of the files under the given course-relative files and folders."""
    files = {}
    for item in relative:
        paths = [course / item] if (course / item).is_file() else sorted((course / item).rglob("*"))
        files.update({str(p.relative_to(course)): p.read_bytes() for p in paths
                      if p.is_file() and ".ipynb_checkpoints" not in p.parts})
    return files


def write_files(root: Path, files: dict[str, bytes]) -> None:
    """Write {relative path: bytes} under root."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def make_tasks(course: Path, assignment: str, students: list[str], **settings) -> list[GradingTask]:
    """One task per placed student: the course's configuration, source and gradebook (read once), and the hand-in."""
    shared = read_files(course, [Path("nbgrader_config.py"), Path("solutions") / assignment, Path("gradebook.db")])
    return [GradingTask(assignment, student, {**shared, **read_files(course, [Path("submitted") / student / assignment])},
                        **settings) for student in students]


def gradebook_values(course: Path, assignment: str, student: str) -> dict:
    """The scores, comments and flags nbgrader recorded for one submission, as plain values."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return {}
        values = {"timestamp": submission.timestamp.isoformat() if submission.timestamp else None, "notebooks": {}}
        for notebook in submission.notebooks:
            values["notebooks"][notebook.name] = {
                "flagged": notebook.flagged, "late_submission_penalty": notebook.late_submission_penalty,
                "grades": {g.name: {"auto_score": g.auto_score, "manual_score": g.manual_score,
                                    "extra_credit": g.extra_credit, "needs_manual_grade": g.needs_manual_grade}
                           for g in notebook.grades},
                "comments": {c.name: {"auto_comment": c.auto_comment, "manual_comment": c.manual_comment}
                             for c in notebook.comments},
            }
        return values


def grade_task(task: GradingTask) -> GradedTask:
    """Grade one student in a scratch course (runs in a thread, a process or a Dask worker)."""
    from . import api, sandbox

    with tempfile.TemporaryDirectory(prefix=f"grading-{task.student}-") as scratch:
        course, work = Path(scratch) / "course", Path(scratch) / "work"
        (work / "runtime").mkdir(parents=True)
        write_files(course, task.files)
        env = api.grading_env(course, work, task.timeout)
        env.update({name: str(task.threads) for name in THREAD_VARIABLES})
        cgroup = sandbox.make_batch_cgroup() if task.sandboxed else None
        log_path = work / "nbgrader.log"
        started = time.perf_counter()
        try:
            options = api.sandbox_options(work, task.memory_mb, task.processes, task.cpu_seconds, cgroup) \
                if task.sandboxed else []
            with open(log_path, "w", encoding="utf-8") as log:
                api.nbgrader(["autograde", task.assignment, "--force", *options], course, env, log)
                api.nbgrader(["generate_feedback", task.assignment, "--force"], course, env, log)
        finally:
            sandbox.remove_batch_cgroup(cgroup)
        written = read_files(course, [Path(folder) / task.student / task.assignment
                                      for folder in ("autograded", "feedback")
                                      if (course / folder / task.student / task.assignment).exists()])
        return GradedTask(written, gradebook_values(course, task.assignment, task.student),
                          log_path.read_text(encoding="utf-8"), time.perf_counter() - started)


def merge_into_course(course: Path, assignment: str, student: str, graded: GradedTask) -> None:
    """Write a task's files into the course and its scores and comments into the course's gradebook."""
    write_files(course, graded.files)
    if not graded.gradebook:
        return
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook, warnings.catch_warnings():
        # nbgrader's add_submission links objects before adding them to the session: SQLAlchemy warns, the rows land
        warnings.filterwarnings("ignore", message=".*not in session.*")
        gradebook.update_or_create_student(student)
        try:
            gradebook.remove_submission(assignment, student)
        except MissingEntry:
            pass
        timestamp = graded.gradebook["timestamp"]
        submission = gradebook.add_submission(assignment, student, **({"timestamp": timestamp} if timestamp else {}))
        for notebook in submission.notebooks:
            recorded = graded.gradebook["notebooks"].get(notebook.name, {})
            notebook.flagged = recorded.get("flagged", False)
            notebook.late_submission_penalty = recorded.get("late_submission_penalty")
            for grade in notebook.grades:
                for key, value in recorded.get("grades", {}).get(grade.name, {}).items():
                    setattr(grade, key, value)
            for comment in notebook.comments:
                for key, value in recorded.get("comments", {}).get(comment.name, {}).items():
                    setattr(comment, key, value)
        gradebook.db.commit()


def default_jobs(threads: int = 1) -> int:
    """How many kernels the cores allow, each with `threads` threads."""
    return max(1, (os.cpu_count() or 1) // max(1, threads))


def run_tasks(tasks: list[GradingTask], jobs: int, scheduler: str | None, on_done) -> None:
    """Run the tasks on `jobs` threads here, or on the Dask cluster at `scheduler`; hand each result to on_done."""
    if scheduler is not None:
        from distributed import Client
        from distributed import as_completed as completed_on_cluster

        with Client(scheduler) as client:
            futures = {client.submit(grade_task, task, pure=False, key=f"grade-{task.assignment}-{task.student}"): task
                       for task in tasks}
            for future in completed_on_cluster(futures):
                on_done(futures[future], future.result())
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:  # threads suffice: the work runs in nbgrader's subprocesses
        futures = {pool.submit(grade_task, task): task for task in tasks}
        for future in as_completed(futures):
            on_done(futures[future], future.result())
