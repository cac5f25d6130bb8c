"""`python -m grading <assignment> <folder-or-zip>`: place, autograde, feedback, export, summary.

Run it from the course's root (the folder with nbgrader_config.py) or pass --course.
"""
from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from tqdm.auto import tqdm

from . import sandbox
from .collect import place_submissions
from .report import format_table, log_problems, notebook_problems


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__.split("\n")[0])
    parser.add_argument("assignment", help="the assignment's name, as in solutions/<assignment>/")
    parser.add_argument("submissions", type=Path, help="a folder or zip: <student>.ipynb files or one folder per student")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course root (default: this folder)")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py's, 180)")
    parser.add_argument("--memory-mb", type=int, default=sandbox.MEMORY_MB, help="memory limit of each kernel")
    parser.add_argument("--no-sandbox", action="store_true", help="run kernels without bubblewrap (trusted work only)")
    parser.add_argument("--csv", type=Path, help="where to write the grades CSV (default: <course>/grades.csv)")
    return parser.parse_args(argv)


def run_nbgrader(arguments: list[str], course: Path, env: dict[str, str], log, progress=None) -> int:
    """Run one nbgrader command in the course folder, copying its log to `log`; advance `progress` per notebook."""
    process = subprocess.Popen([sys.executable, "-m", "nbgrader", *arguments], cwd=course, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for line in process.stdout:
        log.write(line)
        if progress is not None and "] Sanitizing " in line:
            student = line.split("/submitted/")[-1].split("/")[0]
            progress.set_postfix_str(student)
            progress.update(1)
    return process.wait()


def grading_env(course: Path, work: Path, args: argparse.Namespace) -> dict[str, str]:
    """nbgrader's environment: the venv's tools on PATH, the sandbox kernelspec on JUPYTER_PATH, limits."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # nbgrader calls `alembic`
    package_root = str(Path(__file__).resolve().parent.parent)  # so kernels can run `python -m grading.sandbox`
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(work / "jupyter"), env.get("JUPYTER_PATH")) if p)
    env["JUPYTER_RUNTIME_DIR"] = str(work / "runtime")
    env["TMPDIR"] = str(work / "runtime")  # nbclient writes kernels' connection files to the temp folder
    env["GRADING_COURSE_ROOT"] = str(course)
    if args.timeout:
        env["COURSE_CELL_TIMEOUT"] = str(args.timeout)
    return env


def summarize(course: Path, assignment: str, students: list[str], problems: dict[str, str], log: str) -> list[dict]:
    """One row per student: score from the gradebook, problems from the log, the notebook and the placing."""
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in sorted(set(students) | set(problems)):
            found = list(log_problems(log, student))
            if student in problems:
                found.insert(0, problems[student])
            score = "-"
            autograded = course / "autograded" / student / assignment / f"{assignment}.ipynb"
            if autograded.exists():
                try:
                    submission = gradebook.find_submission(assignment, student)
                    score = f"{submission.score:g} / {submission.max_score:g}"
                    found += notebook_problems(autograded)
                except MissingEntry:
                    found.append("not in the gradebook")
            elif student in students and not found:
                found.append("not graded: see the log")
            rows.append({"student": student, "assignment": assignment, "score": score,
                         "problems": "; ".join(found) or "none"})
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    course = args.course.resolve()
    if not (course / "nbgrader_config.py").is_file() or not (course / "solutions" / args.assignment).is_dir():
        print(f"{course} is not a course root with solutions/{args.assignment}/ (use --course)", file=sys.stderr)
        return 2
    if not args.no_sandbox and not sandbox.bwrap_works():
        print("bubblewrap (bwrap) is missing or cannot make namespaces here: install it (apt-get install "
              "bubblewrap), or pass --no-sandbox to grade without isolation", file=sys.stderr)
        return 2
    logs = course / "grading_logs"
    logs.mkdir(exist_ok=True)
    log_path = logs / f"{args.assignment}.log"
    with tempfile.TemporaryDirectory(prefix="grading-") as scratch, open(log_path, "w", encoding="utf-8", buffering=1) as log:
        work = Path(scratch)
        (work / "runtime").mkdir()
        env = grading_env(course, work, args)
        students, problems = place_submissions(args.submissions.resolve(), args.assignment, course)
        print(f"{len(students)} submissions placed in submitted/; log: {log_path}")
        extra = []
        if not args.no_sandbox:
            name = sandbox.write_kernelspec(work / "jupyter", args.memory_mb)
            # the kernel has no network: it talks to nbgrader over Unix sockets in the runtime folder
            extra = [f"--Execute.kernel_name={name}", "--KernelManager.transport=ipc",
                     f"--KernelManager.ip={work / 'runtime' / 'kernel-ipc'}"]
        if run_nbgrader(["generate_assignment", args.assignment, "--force"], course, env, log) != 0:
            print(f"nbgrader generate_assignment failed: see {log_path}", file=sys.stderr)
            return 2
        # one nbgrader run grades this batch; earlier hand-ins in submitted/ are left as they were graded
        others = sorted({p.parent.name for p in course.glob(f"submitted/*/{args.assignment}")} - set(students))
        if others:
            extra.append(f"--CourseDirectory.student_id_exclude={','.join(others)}")
        with tqdm(total=len(students), desc=f"autograde {args.assignment}", unit="student") as progress:
            run_nbgrader(["autograde", args.assignment, "--force", *extra], course, env, log, progress)
        run_nbgrader(["generate_feedback", args.assignment, "--force"], course, env, log)
        grades_csv = (args.csv or course / "grades.csv").resolve()
        run_nbgrader(["export", f"--to={grades_csv}"], course, env, log)
    rows = summarize(course, args.assignment, students, problems, log_path.read_text(encoding="utf-8"))
    with open(logs / f"{args.assignment}-summary.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student", "assignment", "score", "problems"])
        writer.writeheader()
        writer.writerows(rows)
    print(format_table(rows))
    print(f"grades: {grades_csv}; summary: {logs / (args.assignment + '-summary.csv')}; "
          f"feedback: {course / 'feedback'}; written answers still need grading in the formgrader")
    return 1 if any(row["score"] == "-" for row in rows) else 0
