"""Pytest settings for the whole repository: notebooks run in quick mode unless told otherwise.

Kernels started by nbval inherit this environment variable. `COURSE_QUICK=0 pytest` runs full mode.

The book (scripts/build_book.py) reuses what nbval executed: once every code cell of a lecture has passed, the
notebook with the outputs nbval received goes into the book's cache (book/cache.py, build/executed/), and the book's
test (marked `book`) runs last, so it builds the site from those copies instead of executing the lectures again.
"""
import os
from pathlib import Path

import pytest

os.environ.setdefault("COURSE_QUICK", "1")

_passed: dict[object, dict[int, list]] = {}  # nbval's notebook collector -> {cell number: outputs}


def pytest_configure(config: pytest.Config) -> None:
    """Register the `book` marker."""
    config.addinivalue_line("markers", "book: builds the course as a book from the executed lectures (runs last)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the tests marked `book` to the end of the session, after nbval has executed the lectures."""
    items.sort(key=lambda item: item.get_closest_marker("book") is not None)  # a stable sort keeps the rest in order


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """When nbval has run every code cell of a lecture without failure, store the executed notebook for the book."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and type(item).__name__ == "IPyNbCell" and _is_lecture(item):
        _record(item, report.passed)


def _is_lecture(item: pytest.Item) -> bool:
    """True for a cell of a notebook directly under lectures/."""
    from book.cache import is_lecture

    return is_lecture(Path(str(item.parent.path)))


def _record(item: pytest.Item, passed: bool) -> None:
    """Keep a passed cell's outputs; store the notebook once all its code cells passed (a failure drops it)."""
    notebook, cells = item.parent, _passed.setdefault(item.parent, {})
    if not passed or item.test_outputs is None:
        cells[item.cell_num] = None
    else:
        cells[item.cell_num] = item.test_outputs
    code = [cell for cell in notebook.nb.cells if cell.cell_type == "code"]
    if len(cells) == len(code):
        if all(outputs is not None for outputs in cells.values()):
            _store(Path(str(notebook.path)), notebook.nb, cells)
        del _passed[notebook]


def _store(path: Path, source, outputs: dict[int, list]) -> None:
    """Write the notebook with nbval's outputs into the book's cache (build/executed/)."""
    import copy

    from book import cache

    executed = copy.deepcopy(source)
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code):
        cell.outputs, cell.execution_count = outputs[number], number + 1
        for output in cell.outputs:
            if output.output_type == "execute_result":
                output.execution_count = number + 1
    cache.store(path, executed, cache.mode(), "nbval (pytest)")
