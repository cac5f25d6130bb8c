"""Unit tests of the instructor command's pieces (grading/): placing, the sandbox, the report, the preprocessors."""
import io
import json
import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from conftest import REPO
from grading import api, cli, sandbox
from grading.api import nbgrader
from grading.collect import find_hand_ins, place_submissions, safe_extract, student_id
from grading.paths import course_readable, data_root, utils_dir
from grading.preprocessors import ScrubHiddenTestTracebacks, scrub
from grading.report import format_table, runaway_problems, setup_failure, static_tampering, tampering_found


def notebook_text(*sources: str, **metadata) -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s, metadata=metadata) for s in sources])
    return nbformat.writes(notebook)


def code_cell(source: str = "pass", grade_id: str | None = None, locked: bool = False, grade: bool = False,
              error: str | None = None, evalue: str = ""):
    metadata = {"nbgrader": {"grade_id": grade_id, "locked": locked, "grade": grade, "solution": not locked}} if grade_id else {}
    cell = nbformat.v4.new_code_cell(source, metadata=metadata)
    if error:
        cell.outputs = [nbformat.v4.new_output("error", ename=error, evalue=evalue, traceback=[])]
    return cell


def test_student_id_keeps_only_safe_characters():
    assert student_id("Ada Lovelace (2)") == "Ada_Lovelace_2"
    assert student_id("../../etc") == "etc"
    assert student_id("...") == "unnamed"


def test_safe_extract_refuses_paths_that_leave_the_folder(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("../escape.ipynb", "{}")
    with pytest.raises(ValueError, match="unsafe path"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "escape.ipynb").exists()


def test_find_notebooks_accepts_flat_files_and_student_folders(tmp_path):
    (tmp_path / "ada.ipynb").write_text("{}")
    (tmp_path / "bob" / "deep" / "hw").mkdir(parents=True)
    (tmp_path / "bob" / "deep" / "hw" / "lenet.ipynb").write_text("{}")
    (tmp_path / "cy").mkdir()
    (tmp_path / "cy" / "lenet.ipynb").write_text("{}")
    (tmp_path / "cy" / "scratch.ipynb").write_text("{}")
    (tmp_path / "dee").mkdir()
    (tmp_path / "dee" / "a.ipynb").write_text("{}")
    (tmp_path / "dee" / "b.ipynb").write_text("{}")
    (tmp_path / "__MACOSX").mkdir()
    hand_ins, problems = find_hand_ins(tmp_path, "lenet")
    found = {h.student: h.notebook for h in hand_ins}
    assert set(found) == {"ada", "bob", "cy"}
    assert found["cy"].name == "lenet.ipynb"
    assert "dee" in problems and "2 notebooks" in problems["dee"]


def test_place_submissions_from_a_zip_with_one_top_folder(tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("export/ada/lenet.ipynb", notebook_text("x = 1"))
        zipped.writestr("export/bob.ipynb", "not json")
    course = tmp_path / "course"
    placed, problems = place_submissions(archive, "lenet", course)
    assert [h.student for h in placed] == ["ada"]
    assert (course / "submitted" / "ada" / "lenet" / "lenet.ipynb").exists()
    assert "not a readable notebook" in problems["bob"]


def test_bwrap_command_mounts_an_allowlist(tmp_path):
    work, runtime, extra = tmp_path / "course" / "autograded" / "s" / "a", tmp_path / "rt", tmp_path / "data"
    for folder in (work, runtime, extra):
        folder.mkdir(parents=True)
    command = sandbox.bwrap_command(["python", "-m", "ipykernel_launcher"], work, runtime, [extra], {"A": "1"})
    joined = " ".join(command)
    assert command[0] == "bwrap" and command[-3:] == ["python", "-m", "ipykernel_launcher"]
    assert "--ro-bind / /" not in joined, "the whole file system must not be mounted"
    assert f"--ro-bind {extra} {extra}" in joined and f"--bind {work} {work}" in joined
    assert f"--ro-bind {sys.prefix} {sys.prefix}" in joined or any(
        Path(sys.prefix).is_relative_to(p) for p in sandbox.python_folders())
    assert "--setenv A 1" in joined and "--setenv COURSE_CACHE_DIR /tmp/cache" in joined
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-user", "--die-with-parent", "--tmpfs /tmp"):
        assert flag in joined
    assert f"{tmp_path / 'course'} " not in joined.replace(str(work), "")
    with pytest.raises(ValueError, match="too wide"):
        sandbox.bwrap_command(["python"], work, Path("/tmp"), [], {})


def test_unique_outermost_drops_nested_folders():
    assert sandbox.unique_outermost([Path("/a/b"), Path("/a"), Path("/c"), Path("/a")]) == [Path("/a"), Path("/c")]


def test_course_readable_is_utils_pretrained_and_the_data_root():
    assert course_readable() == [utils_dir(), utils_dir().parent / "pretrained", data_root()]
    assert utils_dir() == REPO / "utils"


PROBE = r'''
import json, os, pathlib, socket, sys, threading, time
report = {"listing": sorted(os.listdir("/"))}
def attempt(name, action):
    try:
        action()
        report[name] = "ESCAPED"
    except Exception as error:
        report[name] = type(error).__name__
attempt("solutions", lambda: open(sys.argv[1] + "/solutions/perceptron/perceptron.ipynb").read(1))
attempt("home", lambda: open(sys.argv[2] + "/secret.txt").read(1))
attempt("root", lambda: open("/root/.bash_history").read(1))
attempt("network", lambda: socket.create_connection(("127.0.0.1", int(sys.argv[3])), timeout=3))
report["work"] = sorted(str(p) for p in pathlib.Path("/work").rglob("*") if p.is_dir() and p.name == "solutions") if os.path.isdir("/work") else []
children = []
try:
    for _ in range(2000):
        pid = os.fork()
        if pid == 0:
            time.sleep(2)
            os._exit(0)
        children.append(pid)
except OSError:
    pass
report["children"] = len(children)
for pid in children:
    os.waitpid(pid, 0)
threads = []
try:
    for _ in range(2000):
        thread = threading.Thread(target=time.sleep, args=(2,), daemon=True)
        thread.start()
        threads.append(thread)
except RuntimeError:
    pass
report["threads"] = len(threads)
import utils
report["utils"] = utils.__file__
print(json.dumps(report))
'''


@pytest.mark.skipif(not sandbox.bwrap_works(), reason="bubblewrap cannot make namespaces here")
def test_the_sandbox_shows_only_its_allowlist_and_caps_processes(tmp_path):
    """A probe inside the sandbox: no course, home or network; a fork bomb and a thread storm stop at the cap."""
    work, runtime, home = tmp_path / "work", tmp_path / "runtime", tmp_path / "home"
    for folder in (work, runtime, home):
        folder.mkdir()
    (home / "secret.txt").write_text("the instructor's secret")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    argv = [sys.executable, "-c", PROBE, str(REPO), str(home), str(server.getsockname()[1])]
    command = sandbox.bwrap_command(argv, work, runtime, course_readable(), {})
    cgroup = sandbox.make_batch_cgroup()

    def limits():
        sandbox.set_limits(2048, processes=64)
        if cgroup is not None:
            sandbox.join_kernel_cgroup(cgroup, 64)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, preexec_fn=limits)
    finally:
        server.close()
        sandbox.remove_batch_cgroup(cgroup)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["listing"]) <= {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp",
                                   "usr", *(Path(p).parts[1] for p in [*sandbox.python_folders(), *course_readable()])}
    assert "home" not in report["listing"] or Path.home().parts[1] == "home"
    for name in ("solutions", "home", "root", "network"):
        assert report[name] != "ESCAPED", f"the sandbox let the probe reach {name}"
    assert report["work"] == [], f"the probe found solutions folders: {report['work']}"
    if os.geteuid() != 0 or cgroup is not None:  # as root without a pids cgroup, nothing caps processes
        assert report["children"] < 64 and report["threads"] < 64, report
    assert report["utils"] == str(REPO / "utils" / "__init__.py")


def test_set_limits_applies_to_a_child():
    code = ("from grading import sandbox; sandbox.set_limits(300)\n"
            "try:\n    x = bytearray(1_000 * 2**20)\nexcept MemoryError:\n    print('limited')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.stdout.strip() == "limited", result.stderr


def test_write_kernelspec_runs_the_sandbox_launcher(tmp_path):
    name = sandbox.write_kernelspec(tmp_path, [Path("/data")], memory_mb=123, env={"GRADING_PROCESSES": "9"})
    spec = json.loads((tmp_path / "kernels" / name / "kernel.json").read_text())
    assert spec["argv"][1:4] == ["-m", "grading.sandbox", "-f"] and spec["env"]["GRADING_MEMORY_MB"] == "123"
    assert json.loads(spec["env"]["GRADING_READ_ONLY"]) == ["/data"] and spec["env"]["GRADING_PROCESSES"] == "9"
    assert spec["interrupt_mode"] == "message"


def cell_of(source: str, locked: bool = False):
    return code_cell(source, grade_id="answer", locked=locked)


@pytest.mark.parametrize("source", [
    "import torch as T\nT.allclose = lambda *a, **k: True",
    "__import__('torch').__dict__['equal'] = lambda *a: True",
    "import utils\nvars(utils)['check_equal'] = print",
    "import time as clock\nclock.process_time = lambda: 0.0",
    "setattr(__import__('math'), 'isclose', lambda *a, **k: True)",
    "import utils\nsetattr(utils, 'check_equal', print)",
    "import sys\nsys.modules['torch'] = None",
    "import builtins\nbuiltins.len = lambda x: 0",
    "import gc",
    "f.__code__ = g.__code__",
    "exec('x = 1')",
    "m = __import__('numpy')\nm.allclose = max",
    "import torch.nn.functional as F\nF.mse_loss = None",
    "import copy\nimport torch as T\nsetattr(T, 'allclose', max)",  # a first import must not hide later aliases
])
def test_static_scan_flags_every_route_of_patching(source):
    notebook = nbformat.v4.new_notebook(cells=[code_cell("import torch\nimport utils", "setup", locked=True),
                                               cell_of(source)])
    flags = static_tampering(notebook)
    assert flags and "possible tampering in cell answer" in flags[0], source


@pytest.mark.parametrize("source", [
    "model.features = nn.Sequential()",
    "x = torch.zeros(3)\nif utils.is_quick() == True: pass",
    "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        setattr(self, 'fc', nn.Linear(2, 2))",
    "def replace_head(model, name):\n    setattr(model, name, nn.Linear(4, 2))\n    return model",
    "%matplotlib inline\nlosses = {}\nlosses['a'] = 1",
    "import torch.nn.functional as F\ny = F.relu(x)",
    "import copy\nmodel = copy.deepcopy(net)\nsetattr(model.classifier, '1', nn.Linear(4, 2))",  # an object, no alias
])
def test_static_scan_leaves_ordinary_code_alone(source):
    notebook = nbformat.v4.new_notebook(cells=[code_cell("import torch\nimport utils\nfrom torch import nn", "setup", locked=True),
                                               cell_of(source)])
    assert static_tampering(notebook) == []


def test_static_scan_ignores_locked_cells_and_names_added_cells():
    notebook = nbformat.v4.new_notebook(cells=[cell_of("import torch\ntorch.x = 1", locked=True),
                                               nbformat.v4.new_code_cell("import torch\ntorch.equal = max")])
    assert static_tampering(notebook) == ["possible tampering in cell #1: assigns torch.equal (review by hand)"]


def test_tampering_errors_and_runaways_are_named_by_cell():
    notebook = nbformat.v4.new_notebook(cells=[
        code_cell(grade_id="test_a", locked=True, grade=True, error="TamperingError", evalue="torch.allclose replaced"),
        code_cell(grade_id="b", error="CellTimeoutError"), code_cell(grade_id="c", error="MemoryError"),
        code_cell(grade_id="d", error="DeadKernelError")])
    notebook.cells[1].outputs.insert(0, nbformat.v4.new_output("error", ename="KeyboardInterrupt", evalue="", traceback=[]))
    assert tampering_found(notebook) == ["tampering: cell test_a (TamperingError: torch.allclose replaced)"]
    assert runaway_problems(notebook) == ["cell b timed out", "cell c ran out of memory", "the kernel died in cell d"]


def test_a_generator_that_ignores_its_input_is_flagged():
    notebook = nbformat.v4.new_notebook(cells=[
        code_cell(grade_id="test_generator", locked=True, grade=True, error="GeneratorDependenceError",
                  evalue="the same samples for another z"),
        code_cell(grade_id="test_losses", locked=True, grade=True, error="AssertionError", evalue="wrong loss")])
    assert tampering_found(notebook) == ["generator ignores its input or parameters: cell test_generator "
                                         "(GeneratorDependenceError: the same samples for another z)"]


def test_a_failed_set_up_cell_is_infrastructure_unless_student_code_ran_first():
    setup = code_cell("import utils", "setup", locked=True, error="BackboneError", evalue="no checkpoint")
    assert setup_failure(nbformat.v4.new_notebook(cells=[setup])) == "setup (BackboneError: no checkpoint)"
    before = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import builtins"), setup])
    assert setup_failure(before) is None
    hosted = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# hosted set-up"), setup])
    assert setup_failure(hosted, source=hosted) == "setup (BackboneError: no checkpoint)", "the course's own cell"


def test_exit_code_comes_from_the_results():
    graded = api.StudentResult("ada", cells=[api.CellResult("t", 1, 1)])
    assert api.BatchResult("a", None, [graded]).exit_code == api.OK
    assert api.BatchResult("a", None, [graded, api.StudentResult("bob", problems=["not a notebook"])]).exit_code == 1
    died = api.StudentResult("cy", infrastructure=["infrastructure: the kernel died"])
    assert api.BatchResult("a", None, [graded, died]).exit_code == api.INFRASTRUCTURE == 3
    assert api.BatchResult("a", None, canary_failure="the reference solution scored 0 / 1").exit_code == 2


def test_canary_failure_names_the_cell_and_its_error():
    reference = api.StudentResult("reference", cells=[api.CellResult("test_a", 2, 2), api.CellResult("test_b", 0, 3, "KeyError: 'x'")])
    assert api.canary_failure(reference) == ("the reference solution scored 2 / 5 in the sandbox: "
                                             "cell test_b failed (KeyError: 'x')")
    reference.infrastructure = ["infrastructure: set-up cell setup (BackboneError: missing) failed"]
    assert api.canary_failure(reference).endswith("set-up cell setup (BackboneError: missing) failed")
    assert api.canary_failure(api.StudentResult("reference", cells=[api.CellResult("t", 1, 1)])) is None


def test_scrub_replaces_instructor_paths_only_at_path_boundaries():
    paths = [("/work/main/.venv", "<python>"), ("/work/main", "<course>"), ("/root", "~")]
    text = 'File "/work/main/utils/data.py", line 3 in /work/main/.venv/lib/x.py; /rooted /root/a'
    assert scrub(text, paths) == 'File "<course>/utils/data.py", line 3 in <python>/lib/x.py; /rooted ~/a'


def test_hidden_test_failures_show_only_their_message():
    cell = code_cell("### BEGIN HIDDEN TESTS\nassert f(2) == 3\n### END HIDDEN TESTS", "test_f", locked=True, grade=True)
    cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="f(2)", traceback=["Traceback", "assert f(2) == 3"])]
    cell, _ = ScrubHiddenTestTracebacks().preprocess_cell(cell, {}, 0)
    assert cell.outputs[0]["traceback"] == ["AssertionError: f(2)"]


def test_format_table_aligns_columns():
    table = format_table([{"student": "ada", "assignment": "a", "score": "16 / 19", "problems": "none"}])
    lines = table.splitlines()
    assert lines[0].startswith("student") and lines[2].startswith("ada") and lines[2].endswith("none")


def test_config_wires_the_course_preprocessors(monkeypatch):
    monkeypatch.delenv("COURSE_CELL_TIMEOUT", raising=False)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.Execute.timeout == 180
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "assignments"
    assert config.IgnorePattern.enabled and "Warning" in config.IgnorePattern.pattern
    from nbgrader.preprocessors import IgnorePattern
    from nbgrader.validator import Validator
    assert IgnorePattern in Validator().preprocessors, "validate must drop the stderr noise autograde drops"


WARNING_NOTEBOOK = [("import warnings, sys\nwarnings.warn('float() of a tensor that requires grad')\n"
                     "print('50%|#####     |', file=sys.stderr)\nanswer = 42", "answer", False, False),
                    ("assert answer == 42\nprint('visible tests passed')", "test_answer", True, True)]


def warning_notebook():
    notebook = nbformat.v4.new_notebook()
    for source, grade_id, locked, grade in WARNING_NOTEBOOK:
        cell = code_cell(source, grade_id, locked=locked, grade=grade)
        cell.metadata["nbgrader"].update({"schema_version": 3, "points": 1} if grade else {"schema_version": 3})
        notebook.cells.append(cell)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def test_validate_and_autograde_both_ignore_warnings_on_stderr(tmp_path):
    """A cell that warns on stderr passes `nbgrader validate` as it passes autograde."""
    course = tmp_path / "course"
    (course / "source" / "warn").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text().replace(
        'c.CourseDirectory.source_directory = "solutions"', 'c.CourseDirectory.source_directory = "source"'))
    nbformat.write(warning_notebook(), course / "source" / "warn" / "warn.ipynb")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    def run(*arguments) -> tuple[int, str]:
        log = io.StringIO()
        return nbgrader(list(arguments), course, env, log), log.getvalue()
    validated = run("validate", "source/warn/warn.ipynb")
    assert "Success! Your notebook passes all the tests." in validated[1], validated[1]
    assert run("generate_assignment", "warn", "--force")[0] == 0
    (course / "submitted" / "ada" / "warn").mkdir(parents=True)
    nbformat.write(warning_notebook(), course / "submitted" / "ada" / "warn" / "warn.ipynb")
    assert run("autograde", "warn", "--force")[0] == 0
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission("warn", "ada").score == 1


def test_cli_refuses_a_folder_that_is_not_a_course(tmp_path, capsys):
    assert cli.main(["a", str(tmp_path), "--course", str(tmp_path)]) == 2
    assert "not a course root" in capsys.readouterr().err


def test_the_grading_command_imports_without_posix_modules():
    """On Windows there is no `resource` module: `python -m grading --no-sandbox` must still import."""
    code = ("import sys; sys.modules['resource'] = None; sys.modules['fcntl'] = None; "
            "import grading.cli, grading.api, grading.sandbox; print('imported')")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "imported", result.stderr[-2000:]
