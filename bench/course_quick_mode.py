"""Benchmark 5: the whole course in quick mode, every lecture and solution notebook executed as CI does.

Prints the seconds of each notebook and the total, on the current machine. Goal: at most 15 minutes
in all on a 2-core CPU.

    python -m bench.course_quick_mode [--tiny] [notebook ...]
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from bench.common import header, parse_args, pick_device

REPO = Path(__file__).resolve().parent.parent


def course_notebooks() -> list[Path]:
    """Lecture and solution notebooks, in course order."""
    return sorted(REPO.glob("lectures/*.ipynb")) + sorted(REPO.glob("solutions/*/*.ipynb"))


def execute(path: Path, timeout: int = 900) -> float:
    """Run a notebook top to bottom in a fresh kernel in its own folder; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main() -> None:
    def extra(parser):
        parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: the whole course)")

    args = parse_args(__doc__.splitlines()[0], extra)
    os.environ["COURSE_QUICK"] = "1"
    header("the course in quick mode (COURSE_QUICK=1), each notebook in a fresh kernel", pick_device("cpu"))
    notebooks = [path.resolve() for path in args.notebooks] or course_notebooks()
    total = 0.0
    for path in notebooks:
        seconds = execute(path)
        total += seconds
        name = path.relative_to(REPO) if path.is_relative_to(REPO) else path.name
        print(f"{seconds:8.1f} s  {name}", flush=True)
    print(f"{total:8.1f} s  total for {len(notebooks)} notebooks ({total / 60:.1f} min; goal: at most 15 min)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
