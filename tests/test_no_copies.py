"""Graded answers are not handed out: no function a solution writes for a grade stands, nearly verbatim, in a lecture.

Every function and class of a graded solution cell (nbgrader `solution: true` code cells of solutions/) is compared
with every function and class of the lectures' code cells, both normalized: names of variables, arguments and
functions abstracted to their order of first use, literals to their type, docstrings and comments dropped, and
the attribute names kept (they are the API the code calls, the same in any correct answer). A pair whose normalized
token streams agree on `THRESHOLD` or more (difflib's ratio) is a near-copy: the lecture should teach the idea with
a different variant, or stop short of the graded piece. Short pieces (under `MIN_TOKENS` tokens: a one-line
`torch.relu`) are left out, since any two answers to them look alike.
"""
from __future__ import annotations

import ast
import difflib
import io
import tokenize
from pathlib import Path

import nbformat
import pytest

from conftest import REPO

THRESHOLD = 0.85
MIN_TOKENS = 25
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"


def normalized_tokens(node: ast.AST) -> list[str]:
    """The token stream of a def or class with names renamed by order of first use and literals by type."""
    source = ast.unparse(strip_docstrings(node))
    names: dict[str, str] = {}
    tokens = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and token.string not in KEYWORDS:
            previous = tokens[-1] if tokens else ""
            if previous == ".":
                tokens.append(token.string)   # an attribute: the API, kept
            else:
                tokens.append(names.setdefault(token.string, f"n{len(names)}"))
        elif token.type == tokenize.NUMBER:
            tokens.append("<num>")
        elif token.type == tokenize.STRING:
            tokens.append("<str>")
        elif token.type == tokenize.OP:
            tokens.append(token.string)
    return tokens


KEYWORDS = {"def", "class", "return", "for", "in", "if", "else", "elif", "while", "with", "as", "and", "or", "not",
            "is", "None", "True", "False", "lambda", "yield", "import", "from", "try", "except", "finally", "raise",
            "pass", "break", "continue", "global", "nonlocal", "assert", "del"}


def strip_docstrings(node: ast.AST) -> ast.AST:
    """A copy of node without docstrings (they are prose, not code)."""
    node = ast.parse(ast.unparse(node)).body[0]
    for child in ast.walk(node):
        body = getattr(child, "body", None)
        if (isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            child.body = body[1:] or [ast.Pass()]
    return node


def definitions(source: str) -> list[ast.AST]:
    """Top-level functions and classes of a code cell (IPython magics and unparsable cells give none)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return []
    return [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def solution_code(source: str) -> str:
    """A graded cell's code without nbgrader's solution markers (the function around the solution is kept)."""
    return "\n".join(line for line in source.splitlines() if SOLUTION_BEGIN not in line and SOLUTION_END not in line)


def graded_definitions() -> list[tuple[str, str, list[str]]]:
    """(solution notebook, cell id, normalized tokens) of every def and class in graded solution cells."""
    found = []
    for path in sorted(REPO.glob("solutions/*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("solution"):
                for node in definitions(solution_code(cell.source)):
                    tokens = normalized_tokens(node)
                    if len(tokens) >= MIN_TOKENS:
                        found.append((f"{path.parent.name}:{meta.get('grade_id')}:{node.name}", path.name, tokens))
    return found


def lecture_definitions() -> list[tuple[str, list[str]]]:
    """(lecture:function, normalized tokens) of every def and class in the lectures' code cells."""
    found = []
    for path in sorted(REPO.glob("lectures/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                found += [(f"{path.stem}:{node.name}", normalized_tokens(node)) for node in definitions(cell.source)]
    return found


def similarity(a: list[str], b: list[str]) -> float:
    """difflib's ratio of two token streams (1: the same)."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def test_the_normalization_sees_through_renaming_but_not_a_different_method():
    original = "def gram(features):\n    n, c, h, w = features.shape\n    f = features.reshape(n, c, h * w)\n" \
               "    return f @ f.transpose(1, 2) / (c * h * w)\n"
    renamed = "def g(X):\n    '''Gram.'''\n    N, C, H, W = X.shape\n    M = X.reshape(N, C, H * W)  # flat\n" \
              "    return M @ M.transpose(1, 2) / (C * H * W)\n"
    einsum = "def gram(features):\n    n, c, h, w = features.shape\n" \
             "    return torch.einsum('nchw,ndhw->ncd', features, features) / (c * h * w)\n"
    tokens = [normalized_tokens(definitions(source)[0]) for source in (original, renamed, einsum)]
    assert similarity(tokens[0], tokens[1]) == 1.0
    assert similarity(tokens[0], tokens[2]) < THRESHOLD


@pytest.mark.parametrize("name,notebook,tokens", graded_definitions(), ids=lambda value: value if isinstance(value, str) and ":" in value else "")
def test_no_lecture_hands_out_a_graded_answer(name, notebook, tokens):
    copies = [(lecture, round(similarity(tokens, other), 2)) for lecture, other in lecture_definitions()
              if similarity(tokens, other) >= THRESHOLD]
    assert not copies, (f"{name} (graded in solutions/.../{notebook}) stands nearly verbatim in {copies}: teach the idea "
                        "in the lecture with a different variant, or stop short of the graded piece")


def test_there_are_graded_definitions_to_compare():
    assert len(graded_definitions()) >= 10, "the solutions' graded cells should define functions to compare"
    assert Path(REPO / "lectures").is_dir()
