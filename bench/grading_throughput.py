"""Benchmark 7: grading throughput, submissions per minute, with --jobs 1, --jobs N and a Dask LocalCluster.

For each assignment, a class of copies of the reference solution is graded three ways through grading.api.grade
(the sandboxed command's own code, canary included); the canary's time is left out of the rate. The ratios
against --jobs 1 are measured in the same run.

    python -m bench.grading_throughput [--assignments perceptron,backprop] [--students 4] [--jobs 2]
"""
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from bench.common import header, parse_args, pick_device
from grading import api

REPO = Path(__file__).resolve().parent.parent


def make_course(root: Path, assignment: str) -> Path:
    """A fresh course holding only this assignment's source."""
    (root / "solutions").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions" / assignment, root / "solutions" / assignment)
    return root


def make_class(folder: Path, assignment: str, students: int) -> None:
    """`students` copies of the reference solution, as hand-ins s01.ipynb, s02.ipynb, ..."""
    folder.mkdir(parents=True)
    solution = nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    for index in range(1, students + 1):
        nbformat.write(solution, folder / f"s{index:02d}.ipynb")


def rate(root: Path, assignment: str, hand_ins: Path, **options) -> float:
    """Submissions per minute of one graded batch (its canary's time left out)."""
    course = make_course(root, assignment)
    started = time.perf_counter()
    batch = api.grade(assignment=assignment, submissions=hand_ins, course=course, progress=False, **options)
    seconds = time.perf_counter() - started - (batch.canary.seconds if batch.canary else 0)
    graded = sum(s.graded and s.score == s.max_score for s in batch.students)
    if graded != len(batch.students):
        raise RuntimeError(f"{assignment}: only {graded} of {len(batch.students)} reference copies got full marks")
    return 60 * len(batch.students) / seconds


def main() -> None:
    def extra(parser):
        parser.add_argument("--assignments", default="perceptron", help="comma-separated, or 'all'")
        parser.add_argument("--students", type=int, default=4, help="copies of the solution per batch")
        parser.add_argument("--jobs", type=int, default=2, help="parallel students for the --jobs and cluster runs")

    args = parse_args(__doc__.splitlines()[0], extra)
    from distributed import LocalCluster

    names = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir()) if args.assignments == "all" \
        else args.assignments.split(",")
    students = 2 if args.tiny else args.students
    header(f"grading throughput, {students} submissions per batch: --jobs 1, --jobs {args.jobs}, "
           f"LocalCluster of {args.jobs} workers", pick_device("cpu"))
    print(f"{'assignment':<20}{'jobs 1':>10}{f'jobs {args.jobs}':>10}{'cluster':>10}   (submissions per minute; ratio)")
    with tempfile.TemporaryDirectory() as folder, \
            LocalCluster(n_workers=args.jobs, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        for assignment in names:
            root = Path(folder) / assignment
            make_class(root / "hand-ins", assignment, students)
            serial = rate(root / "serial", assignment, root / "hand-ins", jobs=1, threads=1)
            parallel = rate(root / "jobs", assignment, root / "hand-ins", jobs=args.jobs, threads=1)
            clustered = rate(root / "cluster", assignment, root / "hand-ins", scheduler=cluster.scheduler_address,
                             threads=1)
            print(f"{assignment:<20}{serial:>10.2f}{parallel:>10.2f}{clustered:>10.2f}   "
                  f"(x{parallel / serial:.2f}, x{clustered / serial:.2f})", flush=True)


if __name__ == "__main__":
    main()
