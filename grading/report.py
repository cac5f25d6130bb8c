"""What an autograded notebook says: per-cell errors and timings, runaway kernels, tampering, the summary table."""
from __future__ import annotations

import ast
import importlib.util
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import nbformat

TAMPERING_ERROR = "TamperingError"  # utils.integrity's exception: a hidden test found a replaced function
# Other errors of hidden tests that mean "gaming suspected", each flagged with its own words for the instructor.
SUSPICION_ERRORS = {TAMPERING_ERROR: "tampering",
                    "GeneratorDependenceError": "generator ignores its input or parameters"}
RISKY_IMPORTS = {"builtins", "gc", "ctypes", "inspect", "importlib"}
RISKY_CALLS = {"setattr", "delattr", "exec", "compile", "__import__", "vars"}
RISKY_ATTRIBUTES = {"__code__", "__globals__", "__builtins__", "__dict__", "modules"}


def nbgrader_meta(cell) -> dict:
    """The nbgrader metadata of a cell ({} when it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def cell_name(cell, index: int) -> str:
    """The cell's grade_id, or '#<index>' for a cell without one (one the student added)."""
    return nbgrader_meta(cell).get("grade_id") or f"#{index}"


def first_error(cell) -> dict | None:
    """The first error output of a code cell, or None."""
    return next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)


def error_text(output: dict, limit: int = 160) -> str:
    """'ErrorName: message', cut to `limit` characters."""
    text = f"{output.get('ename', '')}: {output.get('evalue', '')}".strip(": ")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def cell_seconds(cell) -> float | None:
    """Seconds the cell ran, from nbclient's timing metadata, or None."""
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return (end - start).total_seconds()


def setup_cell_index(notebook) -> int | None:
    """The index of the set-up cell: the first locked code cell."""
    return next((i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and nbgrader_meta(c).get("locked")),
                None)


def setup_failure(notebook, source=None) -> str | None:
    """'<cell> (<error>)' when the set-up cell failed although no student code ran before it, else None.

    Code cells before it that are the course's own (the same text in the `source` notebook) are not student code.
    """
    index = setup_cell_index(notebook)
    if index is None:
        return None
    course_code = {c.source.strip() for c in source.cells if c.cell_type == "code"} if source is not None else set()
    student_code_before = any(c.cell_type == "code" and not nbgrader_meta(c).get("locked") and c.source.strip()
                              and c.source.strip() not in course_code for c in notebook.cells[:index])
    error = first_error(notebook.cells[index])
    if error is None or student_code_before:
        return None
    return f"{cell_name(notebook.cells[index], index)} ({error_text(error)})"


def runaway_problems(notebook) -> list[str]:
    """Cells that timed out, ran out of memory, or whose kernel died."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        names = {o.get("ename", "") for o in cell.get("outputs", []) if o.get("output_type") == "error"}
        if any("Timeout" in name for name in names):  # after the kernel's KeyboardInterrupt: CellTimeoutError
            problems.append(f"cell {cell_name(cell, index)} timed out")
        elif "MemoryError" in names:
            problems.append(f"cell {cell_name(cell, index)} ran out of memory")
        elif "DeadKernelError" in names:
            problems.append(f"the kernel died in cell {cell_name(cell, index)}")
    return problems


def tampering_found(notebook) -> list[str]:
    """The cells whose hidden tests raised one of SUSPICION_ERRORS, each flagged with its message."""
    return [f"{SUSPICION_ERRORS[error['ename']]}: cell {cell_name(cell, index)} ({error_text(error)})"
            for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and (error := first_error(cell)) and error.get("ename") in SUSPICION_ERRORS]


def python_source(source: str) -> ast.Module | None:
    """The cell's source as a Python syntax tree (IPython magics turned into calls), or None if it does not parse."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # IPython missing or a transform it cannot do: parse the source as it is
        pass
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def root_name(node: ast.AST) -> str | None:
    """The name a chain of attributes and subscripts starts from (`a` in `a.b[c].d`), or None."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def dotted(node: ast.AST) -> str:
    """Source text of an expression, shortened."""
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


def imported_names(trees: list[ast.Module]) -> set[str]:
    """Names bound to modules or imported objects, and their aliases (`T = torch`, `m = __import__('x')`)."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            elif isinstance(node, ast.Assign) and isinstance(node.value, (ast.Name, ast.Call, ast.Subscript,
                                                                           ast.Attribute)):
                source = root_name(node.value)
                is_call = isinstance(node.value, ast.Call)
                call = is_call and source in ("__import__", "importlib", "import_module")
                # `model = copy.deepcopy(net)` makes an object, not an alias: only imports and plain references count
                if (source in names and not is_call) or call or "sys.modules" in ast.unparse(node.value):
                    names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def risky_assignments(tree: ast.Module, modules: set[str]) -> list[str]:
    """Assignments and deletions that replace attributes of modules or write into namespaces."""
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            if isinstance(target, ast.Attribute) and root_name(target) in modules:
                found.append(f"assigns {dotted(target)}")
            elif isinstance(target, ast.Subscript) and any(
                    isinstance(n, ast.Attribute) and n.attr in RISKY_ATTRIBUTES or
                    isinstance(n, ast.Call) and getattr(n.func, "id", None) in ("vars", "globals")
                    for n in ast.walk(target.value)):
                found.append(f"writes into {dotted(target.value)}")
    return found


def risky_uses(tree: ast.Module, modules: set[str]) -> list[str]:
    """Imports, calls and attributes that reach into Python's machinery (builtins, gc, setattr on modules...)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imported = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"imports {m}" for m in imported if m.split(".")[0] in RISKY_IMPORTS]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in RISKY_CALLS:
            first = node.args[0] if node.args else None
            on_object = node.func.id in ("setattr", "delattr") and first is not None and \
                root_name(first) not in modules and not isinstance(first, ast.Call)  # setattr(model, ...) is fine
            if not on_object and node.func.id != "vars":
                found.append(f"calls {node.func.id}()")
        elif isinstance(node, ast.Attribute) and node.attr in RISKY_ATTRIBUTES - {"modules"}:
            found.append(f"uses {dotted(node)}")
        elif isinstance(node, ast.Attribute) and node.attr == "modules" and root_name(node) == "sys":
            found.append("uses sys.modules")
        elif isinstance(node, ast.Name) and node.id in ("__builtins__", "__import__"):
            found.append(f"uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr == "update" and isinstance(node.value, ast.Call) and \
                getattr(node.value.func, "id", None) == "vars":
            found.append(f"updates {dotted(node.value)}")
    return found


@lru_cache(maxsize=1)
def hosted_setup_cell() -> str:
    """utils/hosted.py's SETUP_CELL, the course's own first cell, read by file (that module imports nothing)."""
    from .paths import utils_dir

    spec = importlib.util.spec_from_file_location("_grading_course_hosted", utils_dir() / "hosted.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SETUP_CELL


def static_tampering(notebook) -> list[str]:
    """'possible tampering' lines for the student's (unlocked) cells that patch modules or Python's machinery."""
    trees = [(index, cell, python_source(cell.source)) for index, cell in enumerate(notebook.cells)
             if cell.cell_type == "code"]
    modules = imported_names([tree for _, _, tree in trees if tree is not None]) | {"sys", "builtins"}
    flags = []
    for index, cell, tree in trees:
        if tree is None or nbgrader_meta(cell).get("locked") or cell.source == hosted_setup_cell():
            continue   # the course's own set-up cell, unchanged, imports importlib: not the student's doing
        found = list(dict.fromkeys(risky_assignments(tree, modules) + risky_uses(tree, modules)))
        if found:
            flags.append(f"possible tampering in cell {cell_name(cell, index)}: {', '.join(found[:3])}"
                         f"{' ...' if len(found) > 3 else ''} (review by hand)")
    return flags


def read_notebook(path: Path):
    """The notebook at `path` (nbformat 4)."""
    return nbformat.read(path, as_version=4)


def format_table(rows: list[dict]) -> str:
    """A plain-text table of rows with the keys student, assignment, score, problems."""
    header = ["student", "assignment", "score", "problems"]
    cells = [header] + [[str(row[key]) for key in header] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(3)]
    lines = []
    for index, line in enumerate(cells):
        lines.append("  ".join(value.ljust(width) for value, width in zip(line[:3], widths)) + "  " + line[3])
        if index == 0:
            lines.append("  ".join("-" * width for width in widths) + "  " + "-" * 8)
    return "\n".join(lines)
