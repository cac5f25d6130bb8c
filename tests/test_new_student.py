"""The new student: a non-editable install in a fresh environment, an empty data root, a network on loopback.

The course is built as a wheel and installed into a virtual environment made here, whose other packages come
from the running environment through a .pth file (no torch download). From an empty folder, with an empty data
root and the download mirror pointed at a server on loopback that serves stand-ins under the canonical names,
that environment runs lecture 04's cells up to its CIFAR-10 load, the locked set-up cell of the
transfer_learning assignment, and the MNIST and text loaders: every file arrives through the real download code.
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import loopback
import pytest

REPO = Path(__file__).resolve().parent.parent
LECTURE = REPO / "lectures" / "04_transfer_learning.ipynb"
ASSIGNMENT = REPO / "assignments" / "transfer_learning" / "transfer_learning.ipynb"
SHIPPED = ("pyproject.toml", "README.md", "utils", "grading", "pretrained")  # what a wheel is built from

# lecture 04 shows images 5000.. of the cat-and-dog pool, so the stand-in has that many cats and dogs
CIFAR_COUNTS = {"train": {name: 5010 if name in ("cat", "dog") else 2 for name in loopback.CLASSES},
                "test": {name: 20 if name in ("cat", "dog") else 2 for name in loopback.CLASSES}}


def code_cells(path: Path) -> list[str]:
    """The sources of a notebook's code cells, as plain Python (IPython's %magics and !commands translated)."""
    from IPython.core.inputtransformer2 import TransformerManager

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [TransformerManager().transform_cell("".join(cell["source"])) for cell in cells if cell["cell_type"] == "code"]


def setup_cell(path: Path) -> str:
    """The source of an assignment's locked set-up cell (nbgrader grade_id 'setup'), found wherever it lies."""
    cells = [cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]
    found = [i for i, cell in enumerate(cells) if cell["metadata"].get("nbgrader", {}).get("grade_id") == "setup"]
    assert len(found) == 1, f"{path} should have one code cell with grade_id 'setup', found {len(found)}"
    return code_cells(path)[found[0]]


def lecture_cells_through_cifar() -> list[str]:
    """Lecture 04's code cells up to and including the first that loads CIFAR-10."""
    cells = code_cells(LECTURE)
    last = next(i for i, source in enumerate(cells) if "load_cifar10" in source)
    return cells[:last + 1]


def fresh_environment(folder: Path) -> Path:
    """A virtual environment with the course installed from a wheel; its other packages come from this one."""
    source, wheels, venv = folder / "source", folder / "wheels", folder / "venv"
    source.mkdir()
    for name in SHIPPED:  # a copy, so that building leaves nothing in the checkout
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)])
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    (purelib / "running-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # torch & co., not the course
    run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(next(wheels.glob("*.whl")))])
    return python


def run(command: list[str], **kwargs) -> str:
    """Run a command, return its stdout; on failure show its output."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result.stdout


def student_script(venv: Path) -> str:
    """Lecture 04's data cells, the assignment's set-up cell, the MNIST and text loaders, each run as in a notebook."""
    parts = [(f"lecture 04, code cell {i + 1}", source) for i, source in enumerate(lecture_cells_through_cifar())]
    parts.append(("transfer_learning set-up", setup_cell(ASSIGNMENT)))
    images, labels = loopback.mnist_arrays("test", seed=len("MNIST"))
    parts.append(("MNIST and text", textwrap.dedent(f"""
        X, y = utils.load_mnist("test", standardize=False)
        assert X.shape == (6, 1, 28, 28) and (X * 255).round().sum().item() == {int(images.sum())}, X.shape
        assert y.tolist() == {labels.tolist()}
        assert utils.load_shakespeare() == {loopback.TEXT!r}
        judge, record = utils.load_feature_net()   # lecture 06's judge ships with the package too
        assert utils.gan_metrics.FEATURE_NET_CHECKPOINT.resolve().is_relative_to({str(venv.resolve())!r})
        assert record["test_accuracy"] > 0.98, record
        """)))
    return textwrap.dedent(f"""
        import pathlib
        import utils
        assert pathlib.Path(utils.__file__).resolve().is_relative_to({str(venv.resolve())!r}), utils.__file__
        print("utils from", utils.__file__)
        namespace = {{}}
        for name, source in {parts!r}:
            print(f"--- {{name}}", flush=True)
            exec(compile(source, name, "exec"), namespace)
            namespace.update({{"utils": utils}})
        print("--- every cell ran")
        """)


@pytest.mark.slow
def test_a_new_student_gets_the_data_through_the_download_code(tmp_path):
    python = fresh_environment(tmp_path)
    root, cache, served, home = tmp_path / "data", tmp_path / "cache", tmp_path / "mirror", tmp_path / "student"
    root.mkdir()
    home.mkdir()
    overrides = loopback.mirror(served, cifar_counts=CIFAR_COUNTS)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("COURSE_", "PYTHON"))}
    env.update(COURSE_DATA_ROOT=str(root), COURSE_CACHE_DIR=str(cache), COURSE_QUICK="1", MPLBACKEND="Agg",
               TORCH_HOME=str(tmp_path / "torch"))  # no cached ImageNet weights: the course's backbone must be there
    requests = []
    with loopback.serve(served, requests) as url:
        env.update(loopback.offline_env(url, overrides))
        result = subprocess.run([str(python), "-c", student_script(python.parent.parent)], cwd=home, env=env,
                                capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "--- every cell ran" in output
    assert f"utils from {python.parent.parent}" in output, "the installed copy, not the checkout"
    assert "the course's convnet pretrained on 8 CIFAR-10 classes" in output, "pretrained/ must ship with the package"
    assert "Training the course's backbone now" not in output
    assert f"CIFAR-10 train: the original pixels (torchvision's pickled batches), from downloaded to {root}" in output
    assert f"CIFAR-10 test: the original pixels (torchvision's pickled batches), from {root}" in output
    assert sorted(requests) == ["/MNIST/t10k-images-idx3-ubyte.gz", "/MNIST/t10k-labels-idx1-ubyte.gz",
                                "/cifar10/cifar-10-python.tar.gz", "/tinyshakespeare/input.txt"], "one download of each"
    assert "target task: cat (0) vs dog (1); 200 training images, 40 test images" in output
    batches = ["batches.meta", "data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]
    assert loopback.files_under(root) == sorted(
        ["MNIST", "MNIST/raw", "MNIST/raw/t10k-images-idx3-ubyte", "MNIST/raw/t10k-labels-idx1-ubyte",
         "cifar-10-batches-py", *(f"cifar-10-batches-py/{name}" for name in batches),
         "tinyshakespeare", "tinyshakespeare/input.txt"]), "only finished files, nothing half-written"
