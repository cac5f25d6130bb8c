"""Unit tests of the instructor command's pieces (grading/): placing submissions, the sandbox, the report."""
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from grading import cli, sandbox
from grading.collect import find_notebooks, place_submissions, safe_extract, student_id
from grading.report import MONKEYPATCH, format_table, log_problems, notebook_problems


def notebook_text(*sources: str, **metadata) -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s, metadata=metadata) for s in sources])
    return nbformat.writes(notebook)


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
    found, problems = find_notebooks(tmp_path, "lenet")
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
    assert placed == ["ada"]
    assert (course / "submitted" / "ada" / "lenet" / "lenet.ipynb").exists()
    assert "not a readable notebook" in problems["bob"]


def test_bwrap_command_hides_the_course_and_keeps_the_notebook_folder_writable(tmp_path):
    course, work, runtime = tmp_path / "course", tmp_path / "course" / "autograded" / "s" / "a", tmp_path / "rt"
    for folder in (work, runtime):
        folder.mkdir(parents=True)
    command = sandbox.bwrap_command(["python", "-m", "ipykernel_launcher"], work, runtime, [course], [Path("/usr")])
    joined = " ".join(command)
    assert command[0] == "bwrap" and command[-3:] == ["python", "-m", "ipykernel_launcher"]
    assert f"--tmpfs {course}" in joined and f"--bind {work} {work}" in joined
    assert joined.index(f"--tmpfs {course}") < joined.index(f"--bind {work}"), "the work folder must be mounted on top"
    assert joined.index(f"--bind {runtime}") < joined.index(f"--tmpfs {course}")
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-user", "--die-with-parent", "--ro-bind / /"):
        assert flag in joined
    with pytest.raises(ValueError, match="too wide"):
        sandbox.bwrap_command(["python"], work, Path("/tmp"), [course], [])


def test_find_course_root_walks_up_to_the_config(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("")
    (tmp_path / "autograded" / "s" / "a").mkdir(parents=True)
    assert sandbox.find_course_root(tmp_path / "autograded" / "s" / "a") == tmp_path


def test_write_kernelspec_runs_the_sandbox_launcher(tmp_path):
    name = sandbox.write_kernelspec(tmp_path, memory_mb=123)
    spec = json.loads((tmp_path / "kernels" / name / "kernel.json").read_text())
    assert spec["argv"][1:4] == ["-m", "grading.sandbox", "-f"] and spec["env"]["GRADING_MEMORY_MB"] == "123"
    assert spec["interrupt_mode"] == "message"


def test_set_limits_applies_to_a_child(tmp_path):
    import subprocess
    import sys
    code = ("from grading import sandbox; sandbox.set_limits(300)\n"
            "try:\n    x = bytearray(1_000 * 2**20)\nexcept MemoryError:\n    print('limited')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(sandbox.__file__).parent.parent)
    assert result.stdout.strip() == "limited", result.stderr


def test_monkeypatch_pattern():
    assert MONKEYPATCH.search("utils.check_equal = lambda *a: None")
    assert MONKEYPATCH.search("setattr(utils, 'check_equal', f)")
    assert MONKEYPATCH.search("import builtins")
    assert not MONKEYPATCH.search("model.features = nn.Sequential()")
    assert not MONKEYPATCH.search("x = torch.zeros(3)\nif utils.is_quick() == True: pass")


def test_log_problems_are_attributed_to_their_student():
    log = ("[AutogradeApp | INFO] Sanitizing /c/submitted/ada/a/a.ipynb\n"
           "[AutogradeApp | WARNING] Missing grade cell test_x encountered, adding to notebook\n"
           "[AutogradeApp | INFO] Sanitizing /c/submitted/bob/a/a.ipynb\n"
           "[AutogradeApp | WARNING] Cell with id 'sol' exists multiple times!\n"
           "[AutogradeApp | ERROR] There was an error processing assignment 'a' for student 'bob'\n"
           "[GenerateFeedbackApp | ERROR] There was an error processing assignment 'a' for student 'ada'\n")
    assert log_problems(log, "ada") == ["test cell test_x was missing: added back",
                                        "feedback failed for this notebook: see the log"]
    assert log_problems(log, "bob") == ["cell sol appears more than once: the last one is graded",
                                        "autograde failed for this notebook: see the log"]


def test_notebook_problems_name_timeouts_memory_and_failed_tests(tmp_path):
    notebook = nbformat.v4.new_notebook()
    for grade_id, ename, grade in [("a", "CellTimeoutError", False), ("b", "MemoryError", False), ("t", "AssertionError", True)]:
        cell = nbformat.v4.new_code_cell("pass", metadata={"nbgrader": {"grade_id": grade_id, "grade": grade}})
        cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue="", traceback=[])]
        notebook.cells.append(cell)
    path = tmp_path / "n.ipynb"
    nbformat.write(notebook, path)
    assert notebook_problems(path) == ["cell a timed out", "cell b ran out of memory", "tests failed: t"]


def test_format_table_aligns_columns():
    table = format_table([{"student": "ada", "assignment": "a", "score": "16 / 19", "problems": "none"}])
    lines = table.splitlines()
    assert lines[0].startswith("student") and lines[2].startswith("ada") and lines[2].endswith("none")


def test_cli_refuses_a_folder_that_is_not_a_course(tmp_path, capsys):
    assert cli.main(["a", str(tmp_path), "--course", str(tmp_path)]) == 2
    assert "not a course root" in capsys.readouterr().err
