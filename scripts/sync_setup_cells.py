"""Write the hosted set-up cell (utils/hosted.py's SETUP_CELL) as the first code cell of course notebooks.

    python scripts/sync_setup_cells.py                      # lectures/ and solutions/ (then regenerate assignments/)
    python scripts/sync_setup_cells.py lectures             # some folders or notebooks only
    python scripts/sync_setup_cells.py --check              # list the notebooks that differ; exit 1 if any

Idempotent: a notebook whose first code cell already starts with the cell's marker gets its text replaced when it
differs; any other notebook gets the cell inserted before its first code cell. No other cell is touched, so
nbgrader's metadata, ids and checksums stay as they are; run `nbgrader generate_assignment <a> --force` afterwards.
"""
import argparse
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from utils.hosted import MARKER, SETUP_CELL  # noqa: E402  (imports nothing else: no torch needed)

CELL_ID = "course-setup"


def notebooks(targets: list[str]) -> list[Path]:
    """The .ipynb files named, or found under the folders named (checkpoints excluded)."""
    found = []
    for target in map(Path, targets):
        target = target if target.is_absolute() else REPO / target
        found += [target] if target.suffix == ".ipynb" else sorted(p for p in target.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    return found


def setup_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A fresh set-up cell: no outputs, no nbgrader metadata, a fixed id where the format has ids."""
    cell = nbformat.v4.new_code_cell(SETUP_CELL)
    if notebook.nbformat_minor >= 5 and CELL_ID not in {c.get("id") for c in notebook.cells}:
        cell.id = CELL_ID
    elif notebook.nbformat_minor < 5:
        cell.pop("id", None)
    return cell


def synced(notebook: nbformat.NotebookNode) -> bool:
    """Put the set-up cell first among the code cells; True when the notebook changed."""
    index = next((i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"), len(notebook.cells))
    if index < len(notebook.cells) and notebook.cells[index].source.startswith(MARKER):
        if notebook.cells[index].source == SETUP_CELL:
            return False
        notebook.cells[index].source = SETUP_CELL
        return True
    notebook.cells.insert(index, setup_cell(notebook))
    return True


def main(argv: list[str] | None = None) -> int:
    """Sync (or with --check, list) the notebooks; the exit status is 1 when --check finds some out of date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=["lectures", "solutions"], help="notebooks or folders")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook differs")
    args = parser.parse_args(argv)
    stale = []
    for path in notebooks(args.targets):
        notebook = nbformat.read(path, as_version=4)
        if synced(notebook):
            stale.append(path)
            if not args.check:
                nbformat.write(notebook, path)
    verb = "out of date" if args.check else "updated"
    print(f"{len(stale)} notebook(s) {verb}" + "".join(f"\n  {p.relative_to(REPO)}" for p in stale))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
