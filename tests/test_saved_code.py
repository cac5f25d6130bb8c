"""Code that a lecture teaches and others reuse lives in two places kept identical, as d2l's `#@save` does.

A lecture cell whose first line is `# @save` is the lesson; its functions and classes are copied, letter for
letter, into the `utils` module named in that line (`# @save utils/rnn.py`), from which later lectures,
assignments' locked cells and benchmarks import them. This test fails when the two copies differ.
"""
import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARK = re.compile(r"#\s*@save\s+(utils/\w+\.py)\s*$")


def saved_cells() -> list[tuple[str, str, str]]:
    """(notebook, utils module path, cell source) for every `# @save` cell of the lectures."""
    cells = []
    for path in sorted(ROOT.glob("lectures/*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            match = MARK.match(source.splitlines()[0]) if cell["cell_type"] == "code" and source else None
            if match:
                cells.append((path.name, match.group(1), source))
    return cells


def definitions(source: str) -> dict[str, str]:
    """name -> ast dump of each top-level function and class."""
    return {node.name: ast.dump(node) for node in ast.parse(source).body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def saved_modules() -> list[Path]:
    """The utils modules made of lecture code: their docstring says 'Saved from lectures/'."""
    return [path for path in sorted((ROOT / "utils").glob("*.py"))
            if "Saved from lectures/" in (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "")]


def test_there_are_saved_cells():
    assert saved_cells(), "the lectures should mark the code they share with `# @save utils/<module>.py`"


@pytest.mark.parametrize("notebook,module,source", saved_cells(), ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_a_saved_cell_matches_its_utils_copy(notebook, module, source):
    package = definitions((ROOT / module).read_text(encoding="utf-8"))
    cell = definitions(source)
    assert cell, f"{notebook}: a `# @save` cell should define a function or a class"
    for name, dump in cell.items():
        assert name in package, f"{notebook} saves {name}, but {module} does not define it: copy the cell's code there"
        assert dump == package[name], (f"{notebook} and {module} define {name} differently: edit one, then copy it "
                                       "onto the other letter for letter (docstring and type hints included)")


def test_every_saved_module_comes_from_the_lectures():
    in_cells = {(module, name) for _, module, source in saved_cells() for name in definitions(source)}
    for path in saved_modules():
        module = f"utils/{path.name}"
        orphans = [name for name in definitions(path.read_text(encoding="utf-8"))
                   if not name.startswith("_") and (module, name) not in in_cells]
        assert not orphans, f"{module} says it is saved from the lectures, but no `# @save {module}` cell defines {orphans}"
