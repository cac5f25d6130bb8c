"""House rules for every committed notebook (nbval executes them; these check how they are committed)."""
import json

import nbformat
import pytest

from conftest import REPO
from utils.hosted import SETUP_CELL

NOTEBOOKS = sorted(REPO.glob("lectures/*.ipynb")) + sorted(REPO.glob("solutions/*/*.ipynb")) + sorted(REPO.glob("assignments/*/*.ipynb"))
LECTURES = sorted(REPO.glob("lectures/*.ipynb"))


def names(paths):
    return [str(path.relative_to(REPO)) for path in paths]


def test_the_convnets_lecture_exists():
    assert (REPO / "lectures" / "03_convnets.ipynb") in LECTURES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=names(NOTEBOOKS))
def test_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    dirty = [index for index, cell in enumerate(notebook.cells)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them (Edit -> Clear Outputs of All Cells) before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=names(NOTEBOOKS))
def test_valid_with_a_python_kernel(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3", "set the kernel to python3, or JupyterLab asks students to pick one"
    json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", LECTURES, ids=names(LECTURES))
def test_lecture_starts_with_utils_start_and_asks_utils_for_sizes(path):
    source = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")
    assert f'utils.start(0, "{path.stem}"' in source, \
        f'begin with device = utils.start(0, "{path.stem}"): it seeds, sets threads, picks and prints the device and mode'
    assert "utils.pick(" in source, "ask utils for sizes so quick mode can shrink them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=names(NOTEBOOKS))
def test_no_notebook_sets_threads_itself(path):
    source = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")
    assert "torch.set_num_threads(" not in source, \
        "the thread policy lives in utils: utils.start(..., tiny_model=True) (hidden tests pin threads with utils.integrity)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=names(NOTEBOOKS))
def test_first_code_cell_is_the_hosted_set_up(path):
    notebook = nbformat.read(path, as_version=4)
    first = next((cell for cell in notebook.cells if cell.cell_type == "code"), None)
    assert first is not None and first.source == SETUP_CELL, (
        f"{path.name}: its first code cell should be utils/hosted.py's SETUP_CELL: run `python scripts/sync_setup_cells.py` "
        "(lectures/ and solutions/), then `nbgrader generate_assignment <a> --force` for assignments/")
    assert "nbgrader" not in first.metadata, "the set-up cell is not graded: give it no nbgrader metadata"


