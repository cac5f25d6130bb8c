"""Every benchmark runs in its tiny configuration and prints its figures (the figures themselves are not checked)."""
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import REPO


def run(module: str, *arguments: str) -> str:
    result = subprocess.run([sys.executable, "-m", module, *arguments], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "# device: cpu" in result.stdout, "every benchmark names its device"
    return result.stdout


@pytest.fixture(scope="module")
def gpu_tiny() -> str:
    """One run of bench.gpu --tiny (every benchmark's tiny form and the first lecture), shared by the tests below."""
    return run("bench.gpu", "--tiny", "--budget", "550")


def test_gpu_script_runs_every_step_in_its_tiny_form(gpu_tiny):
    summary = gpu_tiny.split("# summary")[-1]
    for name in ("mnist_time_to_accuracy", "speed_levers", "train_loop_overhead", "batching", "char_rnn", "01_history"):
        assert f"{name}: ok" in summary, f"bench.gpu --tiny: {name} did not pass:\n{summary}"


def test_train_loop_overhead_prints_the_ratio(gpu_tiny):
    assert "overhead of utils.fit:" in gpu_tiny


def test_batching_prints_speed_ups(gpu_tiny):
    assert gpu_tiny.count("speed-up x") == 2


def test_time_to_accuracy_prints_each_recipe(gpu_tiny):
    for recipe in ("slides", "fast", "fast+bf16+cl+cudnn"):
        assert f"{recipe}: median time to" in gpu_tiny, f"{recipe} missing from:\n{gpu_tiny}"
    assert "GFLOP/s" in gpu_tiny, "each run reports its achieved FLOP/s"


def test_time_to_accuracy_runs_the_other_recipes():
    output = run("bench.mnist_time_to_accuracy", "--tiny", "--device", "cpu", "--recipes", "onecycle,fast+bf16+cl")
    for recipe in ("onecycle", "fast+bf16+cl"):
        assert f"{recipe}: median time to" in output, f"{recipe} missing from:\n{output}"


def test_speed_levers_print_a_ratio_each(gpu_tiny):
    assert "baseline (fp32):" in gpu_tiny and "channels_last:" in gpu_tiny and gpu_tiny.count(" x") >= 2


def test_benchmarks_time_the_lectures_code():
    """The MNIST benchmarks train lecture 03's network (utils.mnist_convnet) through the lectures' loop (utils.fit)."""
    sources = {path.stem: path.read_text(encoding="utf-8") for path in (REPO / "bench").glob("*.py")}
    for name in ("mnist_time_to_accuracy", "train_loop_overhead", "batching"):
        assert "utils.mnist_convnet()" in sources[name], f"bench/{name}.py should time utils.mnist_convnet"
    for name in ("mnist_time_to_accuracy", "train_loop_overhead"):
        assert "utils.fit(" in sources[name], f"bench/{name}.py should train through utils.fit"
    copies = [name for name, source in sources.items() if "nn.Conv2d(" in source]
    assert not copies, f"bench/{copies} define their own convnet: use the lectures' one from utils"


def test_time_to_accuracy_rejects_an_unknown_recipe():
    result = subprocess.run([sys.executable, "-m", "bench.mnist_time_to_accuracy", "--tiny", "--recipes", "fast+turbo"],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode != 0 and "unknown recipe 'fast+turbo'" in result.stderr


def test_course_quick_mode_times_each_notebook(tmp_path):
    notebook = new_notebook(cells=[new_markdown_cell("# tiny"), new_code_cell("import os\nassert os.environ['COURSE_QUICK'] == '1'")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(notebook, path)
    output = run("bench.course_quick_mode", "--tiny", str(path))
    assert "tiny.ipynb" in output and "total for 1 notebooks" in output


@pytest.mark.slow
def test_grading_times_each_submission(tmp_path):
    source = tmp_path / "solutions" / "tiny"
    source.mkdir(parents=True)
    solution = new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION")
    solution.metadata["nbgrader"] = {"grade": False, "grade_id": "double", "locked": False, "schema_version": 3, "solution": True, "task": False}
    test = new_code_cell("assert double(2) == 4")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "test_double", "locked": True, "points": 1, "schema_version": 3, "solution": False, "task": False}
    notebook = new_notebook(cells=[solution, test])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, source / "tiny.ipynb")
    output = run("bench.grading", "--tiny", "--solutions", str(tmp_path / "solutions"))
    assert "tiny  (goal: at most 60 s)" in output


def test_char_rnn_prints_throughput_and_time_to_target(gpu_tiny):
    assert "throughput:" in gpu_tiny and "time to 1.5 nats/char:" in gpu_tiny and "arithmetic:" in gpu_tiny
    output = run("bench.char_rnn", "--tiny", "--device", "cpu", "--throughput")
    assert "speed-up of the speed options: x" in output
