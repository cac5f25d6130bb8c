"""Benchmark 6: `nbgrader autograde` time per submission, for each assignment.

In a temporary course: generate the release, submit the solution as one student, and time the
autograde command of that one submission (kernel start, execution, database). Goal: at most 60 s
per submission on a 2-core CPU.

    python -m bench.grading [--tiny] [--solutions DIR]
"""
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.common import header, parse_args, pick_device
from grading import api

REPO = Path(__file__).resolve().parent.parent


def nbgrader(arguments: list[str], course: Path) -> None:
    """Run one nbgrader command in the course folder through grading.api's runner; raise with its log if it fails."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    log = io.StringIO()
    if api.nbgrader(arguments, course, env, log) != 0:
        raise RuntimeError(f"nbgrader {' '.join(arguments)} failed:\n{log.getvalue()[-3000:]}")


def main() -> None:
    def extra(parser):
        parser.add_argument("--solutions", type=Path, default=REPO / "solutions", help="nbgrader source folder")

    args = parse_args(__doc__.splitlines()[0], extra)
    header("nbgrader autograde, one submission (the solution) per assignment", pick_device("cpu"))
    assignments = sorted(p.parent.name for p in args.solutions.glob("*/*.ipynb") if p.stem == p.parent.name)
    with tempfile.TemporaryDirectory() as folder:
        course = Path(folder)
        shutil.copy(REPO / "nbgrader_config.py", course)
        shutil.copytree(args.solutions, course / "solutions")
        for assignment in assignments:
            nbgrader(["generate_assignment", assignment, "--force"], course)
            submitted = course / "submitted" / "bench" / assignment
            submitted.mkdir(parents=True)
            shutil.copy(course / "solutions" / assignment / f"{assignment}.ipynb", submitted)
            start = time.perf_counter()
            nbgrader(["autograde", assignment, "--student", "bench", "--force"], course)
            seconds = time.perf_counter() - start
            print(f"{seconds:7.1f} s  {assignment}  (goal: at most 60 s)", flush=True)


if __name__ == "__main__":
    main()
