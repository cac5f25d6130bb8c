"""Write the code of every lecture and solution notebook to .py files, beside copies of the package and tools.

Tools that read Python files but not notebooks (a duplicate finder, grep, a line counter) then see the whole
course. Run from the repository root; the tree goes to the folder given (default /tmp/course-code):

    python scripts/export_notebook_code.py /tmp/course-code && duplicates --repo /tmp/course-code --most 40
"""
import argparse
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("utils", "grading", "bench", "scripts")


def notebook_code(path: Path) -> str:
    """A notebook's code cells joined into one Python text (IPython magics and shell lines left out)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = "\n\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    return "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))


def export(target: Path) -> int:
    """Fill `target` with the packages and the notebooks' code; return the number of notebooks written."""
    shutil.rmtree(target, ignore_errors=True)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__"))
    notebooks = sorted([*ROOT.glob("lectures/*.ipynb"), *ROOT.glob("solutions/*/*.ipynb")])
    for notebook in notebooks:
        destination = target / notebook.relative_to(ROOT).with_suffix(".py")
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(notebook_code(notebook) + "\n", encoding="utf-8")
    return len(notebooks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", type=Path, default=Path("/tmp/course-code"))
    args = parser.parse_args()
    print(f"{export(args.target)} notebooks and the packages {', '.join(PACKAGES)} written to {args.target}")


if __name__ == "__main__":
    main()
