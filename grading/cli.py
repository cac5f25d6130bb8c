"""`python -m grading <assignment> <folder-or-zip>`: canary, place, autograde, feedback, export, summary.

Run it from the course's root (the folder with nbgrader_config.py) or pass --course. Exit status: 0 every
hand-in graded; 1 some hand-ins could not be read (see the summary); 2 not started (not a course, no bwrap,
or the canary failed); 3 infrastructure failures (set-up failed for every student, a kernel died, nbgrader
could not grade a notebook): the affected students were not graded fairly, regrade them.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from . import sandbox
from .api import NOT_STARTED, BatchResult, GradingError, StudentResult, grade
from .parallel import default_jobs
from .report import format_table


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__.split("\n")[0])
    parser.add_argument("assignment", help="the assignment's name, as in solutions/<assignment>/")
    parser.add_argument("submissions", type=Path, help="a folder or zip: <student>.ipynb files or one folder per student")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course root (default: this folder)")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py's, 180)")
    parser.add_argument("--memory-mb", type=int, default=sandbox.MEMORY_MB, help="memory limit of each kernel")
    parser.add_argument("--processes", type=int, default=sandbox.PROCESSES, help="processes and threads per kernel")
    parser.add_argument("--cpu-seconds", type=int, default=sandbox.CPU_SECONDS, help="CPU time of each kernel")
    parser.add_argument("--no-sandbox", action="store_true", help="run kernels without bubblewrap (trusted work only)")
    parser.add_argument("--skip-canary", action="store_true", help="grade even if the reference solution does not "
                        "get full marks in the sandbox (not recommended)")
    parser.add_argument("--csv", type=Path, help="where to write the grades CSV (default: <course>/grades.csv)")
    parser.add_argument("--jobs", type=int, default=None, help="students graded at once on this machine (default: "
                        "one per core at --threads threads each)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads of each kernel (default 1)")
    parser.add_argument("--scheduler", help="a Dask scheduler's address (tcp://host:8786): grade on its workers")
    parser.add_argument("--id-map", type=Path, help="CSV with the columns lms_name and student_id (Canvas, Moodle)")
    parser.add_argument("--deadline", help="ISO 8601 date and time; later hand-ins are flagged late")
    return parser.parse_args(argv)


def score_text(student: StudentResult) -> str:
    """'12 / 14' autograded points, or '-' when the notebook was not graded."""
    return f"{student.score:g} / {student.max_score:g}" if student.graded else "-"


def rows(batch: BatchResult) -> list[dict]:
    """One summary row per student: score and everything to look at (infrastructure first, then flags)."""
    return [{"student": s.student, "assignment": batch.assignment, "score": score_text(s), "late": "late" if s.late else "",
             "problems": "; ".join(s.infrastructure + s.flags + s.problems) or "none"} for s in batch.students]


def write_summary(batch: BatchResult, path: Path) -> None:
    """The summary table as CSV."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student", "assignment", "score", "late", "problems"])
        writer.writeheader()
        writer.writerows(rows(batch))


def print_canary(batch: BatchResult, skipped: bool) -> None:
    """The canary's line: its score and time (the batch's calibration), or why grading stopped."""
    if skipped:
        print("!" * 78 + "\n!!! --skip-canary: the reference solution was NOT graded first; a broken course "
              "would give\n!!! every student a wrong score. Check the scores before returning them.\n" + "!" * 78)
    elif batch.canary_failure:
        print(f"canary failed: {batch.canary_failure}; no student was graded (fix the course, or pass "
              f"--skip-canary). Log: {batch.log}", file=sys.stderr)
    else:
        print(f"canary: the reference solution scored {score_text(batch.canary)} in {batch.canary.seconds:.0f} s "
              "(the batch's calibration: a correct notebook's grading time)")


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit status."""
    args = parse_args(argv)
    try:
        batch = grade(assignment=args.assignment, submissions=args.submissions, course=args.course,
                      timeout=args.timeout, memory_mb=args.memory_mb, processes=args.processes,
                      cpu_seconds=args.cpu_seconds, sandboxed=not args.no_sandbox, canary=not args.skip_canary,
                      grades_csv=args.csv, jobs=args.jobs or default_jobs(args.threads), threads=args.threads,
                      scheduler=args.scheduler, id_map=args.id_map, deadline=args.deadline)
    except (GradingError, ValueError) as error:
        print(error, file=sys.stderr)
        return NOT_STARTED
    print_canary(batch, args.skip_canary)
    if batch.canary_failure:
        return batch.exit_code
    summary = batch.log.parent / f"{args.assignment}-summary.csv"
    write_summary(batch, summary)
    print(format_table(rows(batch)))
    for line in batch.infrastructure:
        print(line)
    print(f"grades: {batch.grades_csv}; summary: {summary}; log: {batch.log}; feedback: "
          f"{batch.log.parent.parent / 'feedback'}; written answers still need grading in the formgrader")
    return batch.exit_code
