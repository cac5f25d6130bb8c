"""The house rules of `utils`: floors without circles, a light import, one face for the notebooks."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UTILS = ROOT / "utils"
# Each module's floor (the table in utils/__init__.py): a module imports only from its own floor or lower ones.
FLOORS = {
    "config": 0,
    "mode": 1, "device": 1, "checks": 1, "integrity": 1, "hosted": 1,
    "data": 2, "cifar": 2, "text": 2,
    "train": 3,
    "plot": 4, "plot2d": 4,
    "backbone": 5, "style": 5, "gan_metrics": 5, "models": 5, "rnn": 5,
}
PRIVATE = {"integrity", "hosted"}  # imported by name by hidden tests and the set-up cell, not exported


def utils_imports(path: Path) -> set[str]:
    """The utils modules that a module of utils imports (relatively or by `utils.` name), at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update([node.module] if node.module else [alias.name for alias in node.names])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("utils."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("utils."))
    return {name.split(".")[0] for name in found}


def graph() -> dict[str, set[str]]:
    return {path.stem: utils_imports(path) for path in sorted(UTILS.glob("*.py")) if path.stem != "__init__"}


def test_every_module_has_a_floor():
    assert set(graph()) == set(FLOORS), "add the new module to FLOORS here and to the table in utils/__init__.py"


def test_no_module_imports_from_a_higher_floor():
    upward = [f"{module} (floor {FLOORS[module]}) imports {other} (floor {FLOORS[other]})"
              for module, others in graph().items() for other in others if FLOORS[other] > FLOORS[module]]
    assert not upward, "; ".join(upward)


def test_the_import_graph_has_no_circle():
    edges, state = graph(), {}

    def visit(module: str, path: list[str]) -> None:
        if state.get(module) == "open":
            raise AssertionError("circular imports: " + " -> ".join(path[path.index(module):] + [module]))
        if state.get(module) == "done":
            return
        state[module] = "open"
        for other in sorted(edges[module]):
            visit(other, path + [module])
        state[module] = "done"

    for module in edges:
        visit(module, [])


def test_importing_utils_is_light():
    code = "import sys, utils; print(sorted(m for m in ('torchvision', 'IPython', 'sklearn', 'nbgrader') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"`import utils` loads {loaded.strip()}: import it inside the function that needs it"


def notebook_sources() -> dict[str, str]:
    sources = {}
    for path in sorted([*ROOT.glob("lectures/*.ipynb"), *ROOT.glob("solutions/*/*.ipynb")]):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources[str(path.relative_to(ROOT))] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return sources


def test_notebooks_use_only_the_face_of_utils():
    import utils

    reaches = []
    for name, source in notebook_sources().items():
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            module = None
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("utils."):
                module = node.module.split(".")[1]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) \
                    and isinstance(node.value.value, ast.Name) and node.value.value.id == "utils" \
                    and node.value.attr in FLOORS:
                module = node.value.attr
            if module is not None and module not in PRIVATE:
                reaches.append(f"{name} uses utils.{module}")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "utils" \
                    and node.attr not in FLOORS and not hasattr(utils, node.attr):
                reaches.append(f"{name} uses utils.{node.attr}, which utils does not export")
    assert not reaches, "export it from utils/__init__.py and use utils.<name>: " + "; ".join(sorted(set(reaches)))


@pytest.mark.parametrize("name", sorted(n for n in FLOORS if n not in PRIVATE))
def test_every_public_function_has_a_docstring_and_type_hints(name):
    tree = ast.parse((UTILS / f"{name}.py").read_text(encoding="utf-8"))
    missing = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            if ast.get_docstring(node) is None:
                missing.append(f"{node.name}: no docstring")
            if isinstance(node, ast.FunctionDef) and node.returns is None:
                missing.append(f"{node.name}: no return type")
    assert not missing, f"utils/{name}.py: " + "; ".join(missing)
