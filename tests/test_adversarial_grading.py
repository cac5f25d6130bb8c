"""Grading against real and adversarial submissions, through the instructor command (`python -m grading`).

One temporary course, modified_lenet only (each case is one notebook; running them on every assignment would
blow the CI budget). Two autograde runs: batch A with the normal cell timeout, batch B (runaway kernels) with a
short one. Cheap cases set `num_epochs = 0`, so they skip MNIST training and lose Part 5's 4 points by design;
the "different" student trains only with COURSE_GRADING_TRAIN=1.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import REPO
from test_grading import html_text, normalize, secret_lines, source_notebook

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (REPO / "solutions" / "modified_lenet").is_dir(), reason="no modified_lenet")]

A = "modified_lenet"
POINTS = {"test_conv_output_size": 2, "test_count_parameters": 3, "test_model": 4, "test_training_loop": 3,
          "test_trained_model": 4}
UNTRAINED = {**POINTS, "test_trained_model": 0}  # a cheap case: num_epochs = 0
# COURSE_GRADING_TRAIN=1: the "different" student trains on MNIST (2 epochs of AdamW) and must get full marks.
# Off by default: the one training costs 15-20 s on an idle 2-core CPU, and many minutes on a loaded one, where
# Part 5's 120 s training limit fails it anyway. The reference solution's training is graded by test_grading.py.
TRAIN = os.environ.get("COURSE_GRADING_TRAIN") == "1"


def cell(notebook, grade_id):
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def index(notebook, grade_id):
    return next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def solution(untrained: bool = True):
    """The reference solution, without its training when `untrained` (the cheap base of most cases)."""
    notebook = source_notebook(A)
    if untrained:
        cell(notebook, "hyperparameters").source = "num_epochs = 0\nbatch_size = 64\nlearning_rate = 1e-3"
    return notebook


def different():
    """Correct, written differently: other names, a classifier that is no nn.Sequential, AdamW, torch.split."""
    notebook = solution(untrained=False)
    cell(notebook, "conv_output_size").source = (
        "import math\n\ndef conv_output_size(input_size, kernel_size, stride=1, padding=0):\n"
        "    span = input_size + 2 * padding - kernel_size\n    return int(math.floor(span / stride)) + 1")
    cell(notebook, "count_parameters").source = (
        "def conv_parameters(in_channels, out_channels, kernel_size):\n"
        "    return out_channels * in_channels * kernel_size ** 2 + out_channels\n\n"
        "def count_parameters(model):\n    total = 0\n    for _, tensor in model.named_parameters():\n"
        "        if tensor.requires_grad:\n            total += tensor.numel()\n    return total")
    cell(notebook, "model").source = (
        "class Head(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.hidden = nn.Linear(400, 120)\n        self.out = nn.Linear(120, 10)\n"
        "    def forward(self, X):\n        return self.out(torch.relu(self.hidden(torch.flatten(X, 1))))\n\n"
        "class ModifiedLeNet(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.features = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),\n"
        "                                      nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))\n"
        "        self.classifier = Head()\n"
        "    def forward(self, images):\n        return self.classifier(self.features(images))")
    cell(notebook, "training_loop").source = (
        "def accuracy(model, X, y, batch_size=1000):\n    model.eval()\n    hits = 0\n    with torch.no_grad():\n"
        "        for images, labels in zip(torch.split(X, batch_size), torch.split(y, batch_size)):\n"
        "            hits += int((model(images).argmax(1) == labels).sum())\n    return hits / len(y)\n\n"
        "def train_model(model, X, y, num_epochs, batch_size, learning_rate):\n"
        "    opt = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)\n    history = []\n"
        "    for _ in range(num_epochs):\n        model.train()\n        perm = torch.randperm(len(X))\n        sums = 0.0\n"
        "        for chunk in torch.split(perm, batch_size):\n"
        "            loss = nn.functional.cross_entropy(model(X[chunk]), y[chunk])\n"
        "            opt.zero_grad()\n            loss.backward()\n            opt.step()\n"
        "            sums += float(loss) * len(chunk)\n        history.append(sums / len(X))\n    return history")
    if TRAIN:
        cell(notebook, "hyperparameters").source = "num_epochs = 2\nbatch_size = 64\nlearning_rate = 1e-3"
    else:
        cell(notebook, "hyperparameters").source = "num_epochs = 0\nbatch_size = 64\nlearning_rate = 1e-3"
    return notebook


def hardcoder():
    """Answers that are tables of the visible tests' cases."""
    notebook = solution()
    cell(notebook, "conv_output_size").source = (
        "def conv_output_size(input_size, kernel_size, stride=1, padding=0):\n"
        "    return {(32, 5, 1, 0): 28, (28, 5, 1, 0): 24, (28, 2, 2, 0): 14, (28, 5, 1, 2): 28}[(input_size, kernel_size, stride, padding)]")
    cell(notebook, "count_parameters").source = (
        "def conv_parameters(in_channels, out_channels, kernel_size):\n    return 156\n\n"
        "def count_parameters(model):\n    return 16 if isinstance(model, nn.Linear) else 156")
    return notebook


def deleter():
    notebook = solution()
    del notebook.cells[index(notebook, "test_conv_output_size")]
    return notebook


def duplicator():
    notebook = solution()
    notebook.cells.insert(index(notebook, "model"), nbformat.from_dict(dict(cell(notebook, "model"))))
    at = index(notebook, "test_count_parameters")
    copy = nbformat.from_dict(dict(notebook.cells[at]))
    copy.source = copy.source.split("### BEGIN HIDDEN TESTS")[0]  # a student copies the release's test cell
    notebook.cells.insert(at, copy)
    return notebook


def reorderer():
    """Part 2 (text, code, test) moved before Part 1: independent parts in another order."""
    notebook = solution()
    start, stop = index(notebook, "part2_text"), index(notebook, "test_count_parameters") + 1
    part2 = notebook.cells[start:stop]
    del notebook.cells[start:stop]
    at = index(notebook, "part1_text")
    notebook.cells[at:at] = part2
    return notebook


def monkeypatcher():
    """Wrong answers, plus helpers patched so that every visible check passes, and a fake test set."""
    notebook = solution()
    cell(notebook, "conv_output_size").source = (
        "utils.check_equal = lambda *args, **kwargs: None\nutils.check_param_count = lambda *args, **kwargs: None\n"
        "utils.check_at_least = lambda *args, **kwargs: None\nutils.count_trainable = lambda module: 51_902\n\n"
        "def conv_output_size(input_size, kernel_size, stride=1, padding=0):\n    return input_size")
    cell(notebook, "count_parameters").source = (
        "def conv_parameters(in_channels, out_channels, kernel_size):\n    return 0\n\n"
        "def count_parameters(model):\n    return 0")
    cell(notebook, "hyperparameters").source = (
        "num_epochs = 0\nbatch_size = 64\nlearning_rate = 1e-3\n"
        "# a 'test set' of blank images, labelled with what the untrained, seeded model answers\n"
        "utils.set_seed(0)\n_answer = int(ModifiedLeNet()(torch.zeros(1, 1, 28, 28)).argmax())\n"
        "_real_load = utils.load_mnist\n"
        "utils.load_mnist = lambda split='train', **kw: (torch.zeros(100, 1, 28, 28), torch.full((100,), _answer)) "
        "if split == 'test' else _real_load(split, **kw)\nimport utils.data\nutils.data.load_mnist = utils.load_mnist")
    return notebook


ESCAPE = '''
import os, socket, pathlib
def _attempt(what, action):
    try:
        action()
        print(f"ESCAPED {what}")
    except Exception as error:
        print(f"blocked {what}: {type(error).__name__}")
_here = pathlib.Path.cwd()
_course = pathlib.Path(COURSE)
_attempt("read the gradebook", lambda: open(_course / "gradebook.db", "rb").read(1))
_attempt("read the solutions", lambda: open(_course / "solutions" / "modified_lenet" / "modified_lenet.ipynb").read(1))
_attempt("read the repository's solutions", lambda: open(pathlib.Path(utils.__file__).parent.parent / "solutions" / "modified_lenet" / "modified_lenet.ipynb").read(1))
_attempt("list other students", lambda: os.listdir(_course / "submitted") or 1 / 0)
_attempt("write to another student", lambda: open(_course / "submitted" / "different" / "modified_lenet" / "pwned.txt", "w").write("x"))
try:  # lands on the sandbox's throwaway tmpfs, if anywhere: the test checks the host's folder
    open(_here.parent / "pwned.txt", "w").write("x")
except Exception:
    pass
_attempt("read the instructor's home", lambda: open(pathlib.Path(HOME) / "secret.txt").read(1))
_attempt("connect to the network", lambda: socket.create_connection(("127.0.0.1", PORT), timeout=3))
'''


def escaper(course: Path, port: int):
    notebook = solution()
    cell(notebook, "conv_output_size").source += "\n" + ESCAPE.replace("COURSE", repr(str(course))).replace(
        "PORT", str(port)).replace("HOME", repr(str(course.parent / "instructor_home")))
    return notebook


def looper():
    notebook = solution()
    cell(notebook, "conv_output_size").source = "while True:\n    pass\n"
    return notebook


def hog():
    notebook = solution()
    cell(notebook, "count_parameters").source = (
        "hog = []\nwhile True:\n    hog.append(bytearray(64 * 2**20))\n\n" + cell(notebook, "count_parameters").source)
    return notebook


def grade(course: Path, submissions: Path, *options: str) -> subprocess.CompletedProcess:
    """Run the instructor command; HOME is a folder beside the course holding a secret (the escaper tries it)."""
    home = course.parent / "instructor_home"
    home.mkdir(exist_ok=True)
    (home / "secret.txt").write_text("the instructor's secret", encoding="utf-8")
    env = {**os.environ, "HOME": str(home),
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    return subprocess.run([sys.executable, "-m", "grading", A, str(submissions), "--course", str(course), *options],
                          env=env, capture_output=True, text=True, timeout=1800)


def scores(course: Path, student: str) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(A, A, student)
        return {g.name: g.auto_score for g in notebook.grades if g.cell_type == "code"}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions" / A, root / "solutions" / A)
    return root


@pytest.fixture(scope="module")
def listener():
    """A TCP server on the host's loopback: a sandboxed kernel must not reach it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server.getsockname()[1]
    server.close()


@pytest.fixture(scope="module")
def batch_a(course, listener, tmp_path_factory):
    """Correct, hard-coded, restructured, monkeypatching and escaping submissions: one zip, one run."""
    folder = tmp_path_factory.mktemp("batch_a")
    notebooks = {"different": different(), "hardcoder": hardcoder(), "deleter": deleter(), "duplicator": duplicator(),
                 "reorderer": reorderer(), "monkeypatcher": monkeypatcher(), "escaper": escaper(course, listener)}
    archive = folder / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for student, notebook in notebooks.items():
            zipped.writestr(f"{student}/{A}.ipynb", nbformat.writes(notebook))
    started = time.perf_counter()
    result = grade(course, archive, "--timeout", "600")
    print(f"batch A: {len(notebooks)} students in {time.perf_counter() - started:.0f} s\n{result.stdout}")
    return result


@pytest.fixture(scope="module")
def batch_b(course, batch_a, tmp_path_factory):
    """Runaway kernels (an infinite loop, a memory hog) and a file that is not a notebook, with a short timeout."""
    folder = tmp_path_factory.mktemp("batch_b")
    nbformat.write(looper(), folder / "looper.ipynb")
    nbformat.write(hog(), folder / "hog.ipynb")
    (folder / "garbage.ipynb").write_text("this is not JSON", encoding="utf-8")
    started = time.perf_counter()
    result = grade(course, folder, "--timeout", "60", "--memory-mb", "2500")
    elapsed = time.perf_counter() - started
    print(f"batch B: 3 students in {elapsed:.0f} s\n{result.stdout}")
    return result, elapsed


def test_batch_a_completes_and_reports(course, batch_a):
    assert batch_a.returncode == 0, batch_a.stdout[-3000:] + batch_a.stderr[-3000:]
    for student in ("different", "hardcoder", "deleter", "duplicator", "reorderer", "monkeypatcher", "escaper"):
        assert re.search(rf"^{student}\s+{A}\s+\d", batch_a.stdout, re.MULTILINE), f"{student} missing from the summary"
    assert "student,assignment" not in batch_a.stdout
    grades = (course / "grades.csv").read_text(encoding="utf-8")
    assert "different" in grades and "escaper" in grades, "the grades CSV should list the batch"


def test_a_different_correct_solution_gets_full_marks(course, batch_a):
    assert scores(course, "different") == (POINTS if TRAIN else UNTRAINED)  # its float(loss) warns: IgnorePattern


def test_hard_coded_answers_fail_the_hidden_tests(course, batch_a):
    result = scores(course, "hardcoder")
    assert result == {**UNTRAINED, "test_conv_output_size": 0, "test_count_parameters": 0}


def test_a_deleted_test_cell_is_put_back_and_graded(course, batch_a):
    assert scores(course, "deleter") == UNTRAINED
    assert "test cell test_conv_output_size was missing" in batch_a.stdout


def test_duplicated_cells_are_graded_once(course, batch_a):
    assert scores(course, "duplicator") == UNTRAINED
    assert "appears more than once" in batch_a.stdout


def test_reordered_parts_are_graded(course, batch_a):
    assert scores(course, "reorderer") == UNTRAINED


def test_monkeypatched_helpers_do_not_fool_the_hidden_tests(course, batch_a):
    result = scores(course, "monkeypatcher")
    assert result == {**UNTRAINED, "test_conv_output_size": 0, "test_count_parameters": 0}
    autograded = nbformat.read(course / "autograded" / "monkeypatcher" / A / f"{A}.ipynb", as_version=4)
    text = str(cell(autograded, "test_trained_model").outputs)
    assert "Part 5: visible tests passed" in text, "the patched visible checks should pass: the hidden ones catch it"
    assert "monkeypatch" in batch_a.stdout, "the summary should flag the patching for a human"


def test_a_submission_cannot_reach_outside_its_folder(course, batch_a):
    autograded = nbformat.read(course / "autograded" / "escaper" / A / f"{A}.ipynb", as_version=4)
    text = "".join(o.get("text", "") for o in cell(autograded, "conv_output_size").outputs)
    assert "ESCAPED" not in text, text
    assert text.count("blocked") == 7, text
    assert not (course / "submitted" / "different" / A / "pwned.txt").exists()
    assert not (course / "autograded" / "escaper" / "pwned.txt").exists()
    assert scores(course, "escaper") == UNTRAINED


def test_feedback_never_shows_hidden_tests(course, batch_a, batch_b):
    hidden = [normalize(line) for line in secret_lines(source_notebook(A), "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")]
    pages = sorted((course / "feedback").glob(f"*/{A}/{A}.html"))
    assert len(pages) >= 8  # batch A's 7 and the looper (the hog's kernel died: no feedback)
    for page in pages:
        text = html_text(page)
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"{page.parent.parent.name}'s feedback shows hidden-test lines: {leaked[:3]}"


def test_runaway_kernels_fail_their_cells_and_grading_goes_on(course, batch_b):
    """The looper's cell times out and the rest is graded. The hog exhausts its memory limit so fast that Python
    cannot even raise MemoryError ("Cannot recover from MemoryErrors"): its kernel dies, nbgrader gives up on that
    notebook, the summary says so (exit code 1), and the other students are graded."""
    result, elapsed = batch_b
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    looper_scores = scores(course, "looper")
    assert looper_scores["test_conv_output_size"] == 0 and looper_scores["test_count_parameters"] == 3
    assert looper_scores["test_model"] == 4, "cells after the loop should be graded"
    assert re.search(r"^looper .*timed out", result.stdout, re.MULTILINE), result.stdout
    assert re.search(r"^hog .*(ran out of memory|failed for this notebook)", result.stdout, re.MULTILINE), result.stdout
    assert re.search(r"^garbage .*not a readable notebook", result.stdout, re.MULTILINE), result.stdout
