"""What went wrong in each student's grading, and the summary table."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

# Assignments to attributes of modules, setattr, builtins or sys.modules: a student's code may be rewiring the
# helpers that tests call. Flagged for a human to look at; the hidden tests do not rely on those helpers.
MONKEYPATCH = re.compile(
    r"^\s*(utils|torch|nn|np|numpy|builtins|__builtins__|sys|importlib|math)(\.\w+)+\s*=[^=]"
    r"|\bsetattr\s*\(|\bsys\.modules\b|\bimport\s+builtins\b|__builtins__",
    re.MULTILINE,
)

LOG_PATTERNS = [
    (re.compile(r"Missing grade cell (\S+) encountered"), "test cell {0} was missing: added back"),
    (re.compile(r"Cell with id '([^']+)' exists multiple times"), "cell {0} appears more than once: the last one is graded"),
]


def log_problems(log: str, student: str) -> list[str]:
    """Problems nbgrader logged while autograding one student's notebook (cells missing, duplicated, a crash)."""
    own, current = [], None
    for line in log.splitlines():
        match = re.search(r"(?:Sanitizing|Autograding) \S*?/submitted/([^/]+)/", line) or \
            re.search(r"(?:Sanitizing|Autograding) \S*?/autograded/([^/]+)/", line)
        if match:
            current = match.group(1)
        if current == student:
            for pattern, message in LOG_PATTERNS:
                found = pattern.search(line)
                if found and message.format(*found.groups()) not in own:
                    own.append(message.format(*found.groups()))
        if f"for student '{student}'" in line and "error processing" in line:
            step = "feedback" if "GenerateFeedbackApp" in line else "autograde"
            own.append(f"{step} failed for this notebook: see the log")
    return own


def notebook_problems(path: Path) -> list[str]:
    """Timeouts, errors by kind, and possible monkeypatching found in an autograded notebook."""
    notebook = nbformat.read(path, as_version=4)
    problems, failed = [], []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            name = output.get("ename", "")
            if name in ("CellTimeoutError", "TimeoutError") or "Timeout" in name:
                problems.append(f"cell {grade_id or '?'} timed out")
            elif name == "MemoryError":
                problems.append(f"cell {grade_id or '?'} ran out of memory")
            elif name == "DeadKernelError":
                problems.append(f"the kernel died in cell {grade_id or '?'}")
            elif cell.metadata.get("nbgrader", {}).get("grade"):
                failed.append(grade_id)
        if not cell.metadata.get("nbgrader", {}).get("locked") and MONKEYPATCH.search(cell.source):
            problems.append(f"cell {grade_id or '(unnamed)'} may monkeypatch modules: review by hand")
    if failed:
        problems.append("tests failed: " + ", ".join(failed))
    return list(dict.fromkeys(problems))


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
