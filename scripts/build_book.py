"""Build the course as a book, a static site in build/book/: `python scripts/build_book.py`, then open the printed path.

    COURSE_DATA_ROOT=/path/to/data python scripts/build_book.py     # quick mode, as CI runs the lectures
    python scripts/build_book.py --full                               # full mode (hours without a GPU)

The site holds the front page (README's introduction and its sections for students), every lecture with its outputs,
the assignments' student versions without outputs and BENCHMARKS.md. Each lecture is executed once per version of
its source (book/cache.py: build/executed/, which `pytest` fills too), so a rebuild re-executes only the lectures
that changed. Pages are staged in build/book-src/ and Sphinx (book/conf.py: myst-nb, sphinx-book-theme, MathJax
served from the site) writes build/book/; nothing is fetched from the network.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from book import cache  # noqa: E402
from grading.publish import STUDENT_SECTIONS  # noqa: E402  (standard library only)

BOOK = REPO / "book"
SOURCE = REPO / "build" / "book-src"
OUTPUT = REPO / "build" / "book"
DOCTREES = REPO / "build" / "book-doctrees"
WIDGET = "application/vnd.jupyter.widget-view+json"
PAGES = ("index.md",)  # page sources in book/ (book/README.md describes the folder, it is no page)


def front_page() -> str:
    """README's introduction (above its first section) and its sections for students: no instructor's material."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    intro, *sections = re.split(r"(?m)^## ", text)
    kept = [f"## {s.rstrip()}\n" for s in sections if s.split("\n", 1)[0].strip() in STUDENT_SECTIONS]
    return intro.rstrip() + "\n\nThe benchmarks are on their own page: [BENCHMARKS.md](BENCHMARKS.md).\n\n" + "\n".join(kept)


def write_if_changed(path: Path, data: bytes) -> None:
    """Write data to path unless it holds it already (Sphinx re-reads only the pages whose files changed)."""
    if not path.exists() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def executed_lecture(path: Path, run_mode: str) -> tuple[Path, str]:
    """The cached executed copy of a lecture, executing it first when missing; also what was done, for the log."""
    cached = cache.entry(path, run_mode)
    if cached.exists():
        return cached, "cached"
    from nbclient.exceptions import CellExecutionError

    start = time.perf_counter()
    try:
        cached = cache.execute(path, run_mode)
    except CellExecutionError as error:
        raise SystemExit(f"lectures/{path.name} failed, so the book is not built: {error.ename}: {error.evalue}") from None
    return cached, f"executed in {time.perf_counter() - start:.0f} s"


def without_widgets(path: Path) -> bytes:
    """An executed lecture without its widget outputs (tqdm's bars: a static page shows them frozen at 0%)."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if WIDGET not in out.get("data", {})]
    notebook.metadata.pop("widgets", None)
    return nbformat.writes(notebook).encode()


def student_version(path: Path) -> bytes:
    """An assignment's student notebook without outputs or execution counts, as JSON."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.writes(notebook).encode()


def staged_pages(run_mode: str) -> dict[str, bytes]:
    """{path in build/book-src/: content} of every page, executing the lectures the cache lacks."""
    pages = {name: (BOOK / name).read_bytes() for name in PAGES}
    pages["_front.md"] = front_page().encode()
    pages["BENCHMARKS.md"] = (REPO / "BENCHMARKS.md").read_bytes()
    for lecture in sorted((REPO / "lectures").glob("*.ipynb")):
        executed, done = executed_lecture(lecture, run_mode)
        print(f"  lectures/{lecture.name}: {done} ({executed.relative_to(REPO)})", flush=True)
        pages[f"lectures/{lecture.name}"] = without_widgets(executed)
    for assignment in sorted((REPO / "assignments").glob("*/*.ipynb")):
        if assignment.stem == assignment.parent.name:
            pages[str(assignment.relative_to(REPO))] = student_version(assignment)
    return pages


def stage(pages: dict[str, bytes]) -> None:
    """Write the pages into build/book-src/ (unchanged files keep their times) and remove any other file there."""
    for name, data in pages.items():
        write_if_changed(SOURCE / name, data)
    for path in sorted(SOURCE.rglob("*"), reverse=True):
        if path.is_file() and str(path.relative_to(SOURCE)) not in pages:
            path.unlink()


def sphinx(output: Path) -> int:
    """Run Sphinx (HTML) on build/book-src/ with book/ as its configuration folder; returns its exit status."""
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(BOOK), "-d", str(DOCTREES),
               str(SOURCE), str(output)]
    return subprocess.run(command, cwd=REPO).returncode


def build(run_mode: str, output: Path = OUTPUT) -> int:
    """Execute what the cache lacks, stage the pages, run Sphinx; returns Sphinx's exit status."""
    os.environ.setdefault("COURSE_DATA_ROOT", str(REPO / "data"))
    start = time.perf_counter()
    print(f"lectures in {run_mode} mode (cache: {cache.CACHE.relative_to(REPO)}/):", flush=True)
    stage(staged_pages(run_mode))
    status = sphinx(output)
    if status == 0:
        print(f"built in {time.perf_counter() - start:.0f} s; open {(output / 'index.html').as_uri()}")
    return status


def main(argv: list[str]) -> int:
    """`python scripts/build_book.py [--full] [--output DIR]`; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="execute the lectures in full mode (default: quick)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where the site goes (default: build/book/)")
    args = parser.parse_args(argv)
    return build("full" if args.full else "quick", args.output.resolve())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
