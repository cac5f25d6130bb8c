"""Grading a class: LMS layouts, the ID map and late flags, a regrade, parallel and cluster grading, publishing."""
import csv
import json
import os
import shutil
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import REPO
from grading import api
from grading.collect import find_hand_ins, parse_deadline, place_submissions, read_id_map
from grading.publish import publish, secret_lines, secrets_in

NOTEBOOK = json.dumps(nbformat.v4.new_notebook())


def write(path: Path, text: str = NOTEBOOK) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def zip_of(path: Path, members: dict[str, tuple[str, tuple]]) -> Path:
    """A zip with {name: (text, date_time)} members."""
    with zipfile.ZipFile(path, "w") as zipped:
        for name, (text, when) in members.items():
            zipped.writestr(zipfile.ZipInfo(name, date_time=when), text)
    return path


def by_student(hand_ins):
    return {h.student: h for h in hand_ins}


def test_canvas_zip_with_late_marks_resubmissions_and_an_id_map(tmp_path):
    archive = zip_of(tmp_path / "submissions.zip", {
        "lovelaceada_12345_9001_modified_lenet.ipynb": (NOTEBOOK, (2026, 11, 30, 10, 0, 0)),
        "babbagecharles_LATE_12346_9002_modified_lenet-1.ipynb": (NOTEBOOK, (2026, 12, 2, 9, 0, 0)),
        "hopper_12347_9003_modified_lenet.ipynb": (NOTEBOOK, (2026, 11, 29, 9, 0, 0)),
        "hopper_12347_9004_modified_lenet-1.ipynb": (NOTEBOOK, (2026, 11, 30, 9, 0, 0)),
    })
    id_map = tmp_path / "ids.csv"
    id_map.write_text("lms_name,student_id\nlovelaceada,ada\nBabbageCharles,charles\n", encoding="utf-8")
    placed, problems = place_submissions(archive, "modified_lenet", tmp_path / "course", read_id_map(id_map),
                                         parse_deadline("2026-12-01T23:59"))
    found = by_student(placed)
    assert set(found) == {"ada", "charles", "hopper"} and not problems
    assert not found["ada"].late and found["ada"].lms_name == "lovelaceada"
    assert found["charles"].late and "late" in found["charles"].notes[0]
    assert found["hopper"].notebook.name.endswith("9004_modified_lenet-1.ipynb"), "the latest of two hand-ins"
    assert any("not in the ID map" in note for note in found["hopper"].notes)
    assert any("2 hand-ins" in note for note in found["hopper"].notes)
    stamp = tmp_path / "course" / "submitted" / "charles" / "modified_lenet" / "timestamp.txt"
    assert stamp.read_text().startswith("2026-12-02 09:00:00"), "nbgrader reads the hand-in's time from here"


def test_moodle_zip_of_files_and_of_folders(tmp_path):
    files = zip_of(tmp_path / "files.zip", {
        "Ada Lovelace_4411_assignsubmission_file_modified_lenet.ipynb": (NOTEBOOK, (2026, 12, 1, 8, 0, 0)),
        "Grace Hopper_4412_assignsubmission_file_modified_lenet.ipynb": (NOTEBOOK, (2026, 12, 3, 8, 0, 0)),
    })
    found, problems = {}, {}
    for archive in (files,):
        placed, problems = place_submissions(archive, "modified_lenet", tmp_path / "c1", {"ada lovelace": "ada"},
                                             parse_deadline("2026-12-02T00:00+00:00"))
        found = by_student(placed)
    assert set(found) == {"ada", "Grace_Hopper"} and not problems
    assert found["Grace_Hopper"].late and not found["ada"].late, "late from the zip entry's time"
    folders = zip_of(tmp_path / "folders.zip", {
        "Ada Lovelace_4411_assignsubmission_file_/modified_lenet.ipynb": (NOTEBOOK, (2026, 12, 1, 8, 0, 0)),
        "Grace Hopper_4412_assignsubmission_file_/notes.ipynb": (NOTEBOOK, (2026, 12, 1, 8, 0, 0)),
        "Grace Hopper_4412_assignsubmission_file_/modified_lenet.ipynb": (NOTEBOOK, (2026, 12, 1, 8, 0, 0)),
    })
    placed, problems = place_submissions(folders, "modified_lenet", tmp_path / "c2")
    assert sorted(h.student for h in placed) == ["Ada_Lovelace", "Grace_Hopper"] and not problems


def test_blackboard_names_carry_their_time(tmp_path):
    write(tmp_path / "Homework 3_ada_attempt_2026-12-02-10-00-00_modified_lenet.ipynb")
    hand_ins, _ = find_hand_ins(tmp_path, "modified_lenet", deadline=parse_deadline("2026-12-01T12:00"))
    assert [(h.student, h.late) for h in hand_ins] == [("ada", True)]
    assert hand_ins[0].submitted_at == datetime(2026, 12, 2, 10, 0, 0)


def test_a_one_student_regrade_folder_is_that_student(tmp_path):
    write(tmp_path / "ada" / "modified_lenet" / "modified_lenet.ipynb")
    hand_ins, problems = find_hand_ins(tmp_path, "modified_lenet")
    assert [h.student for h in hand_ins] == ["ada"] and not problems


def test_nbgrader_submitted_folder_is_read_in_place_with_its_timestamps(tmp_path):
    course = tmp_path / "course"
    for student, when in (("ada", "2026-11-30 10:00:00.000000 UTC"), ("bob", "2026-12-05 10:00:00.000000 UTC")):
        notebook = write(course / "submitted" / student / "modified_lenet" / "modified_lenet.ipynb")
        (notebook.parent / "timestamp.txt").write_text(when)
    placed, problems = place_submissions(course / "submitted", "modified_lenet", course,
                                         deadline=parse_deadline("2026-12-01T00:00"))
    assert {h.student: h.late for h in placed} == {"ada": False, "bob": True} and not problems
    assert (course / "submitted" / "bob" / "modified_lenet" / "timestamp.txt").read_text().startswith("2026-12-05")


def test_a_bad_id_map_and_a_bad_deadline_say_what_to_fix(tmp_path):
    (tmp_path / "ids.csv").write_text("name,id\nada,1\n")
    with pytest.raises(ValueError, match="lms_name and student_id"):
        read_id_map(tmp_path / "ids.csv")
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_deadline("next friday")
    assert parse_deadline("2026-12-01T10:00").tzinfo == timezone.utc


def test_the_published_course_holds_no_solution_and_no_hidden_test(tmp_path):
    files = publish(REPO, tmp_path / "student-course")
    root = tmp_path / "student-course"
    assert not {"solutions", "grading", "tests", "bench", ".ci"} & {Path(f).parts[0] for f in files}
    assert {"README.md", "pyproject.toml", "utils/__init__.py", "pretrained/cifar8_convnet.pt"} <= set(files)
    assert any(f.startswith("lectures/") for f in files) and any(f.startswith("assignments/") for f in files)
    assert "For instructors" not in (root / "README.md").read_text() and "## For students" in (root / "README.md").read_text()
    assert not secrets_in(root, REPO)
    # the check can fail: plant one hidden-test line in a published notebook
    line = max(secret_lines(REPO), key=len)
    released = root / "assignments" / "perceptron" / "perceptron.ipynb"
    notebook = nbformat.read(released, as_version=4)
    notebook.cells[-1].source += "\n" + line
    nbformat.write(notebook, released)
    assert any("hidden test's line" in leak for leak in secrets_in(root, REPO))
    with pytest.raises(ValueError, match="not empty"):
        publish(REPO, root)


# Serial, parallel and cluster grading of the same hand-ins must give the same scores, cell by cell.
ASSIGNMENT = "perceptron"   # the quickest to grade


def class_of_three(folder: Path) -> None:
    """The reference solution, the blank release, and the reference with one graded function left blank."""
    solution = nbformat.read(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    blank = nbformat.read(REPO / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    nbformat.write(solution, folder / "ada.ipynb")
    nbformat.write(blank, folder / "bob.ipynb")
    partial = nbformat.read(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    blank_cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in blank.cells}
    first_solution = next(c for c in partial.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first_solution.source = blank_cells[first_solution.metadata["nbgrader"]["grade_id"]].source
    nbformat.write(partial, folder / "cy.ipynb")


def gradebook_scores(course: Path) -> dict[str, dict[str, float]]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s.student.id: {g.name: g.score for nb in s.notebooks for g in nb.grades}
                for s in gradebook.assignment_submissions(ASSIGNMENT)}


@pytest.fixture(scope="module")
def three_ways(tmp_path_factory):
    """The same class graded with jobs=1, jobs=2 and on a LocalCluster of two worker processes."""
    from distributed import LocalCluster

    root = tmp_path_factory.mktemp("scale")
    (root / "hand-ins").mkdir()
    class_of_three(root / "hand-ins")
    results = {}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        for way, options in (("serial", {"jobs": 1}), ("jobs2", {"jobs": 2}),
                             ("cluster", {"scheduler": cluster.scheduler_address})):
            course = root / way
            (course / "solutions").mkdir(parents=True)
            shutil.copy(REPO / "nbgrader_config.py", course)
            shutil.copytree(REPO / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
            batch = api.grade(assignment=ASSIGNMENT, submissions=root / "hand-ins", course=course, progress=False,
                              threads=1, **options)
            results[way] = (course, batch)
    return results


@pytest.mark.slow
def test_parallel_and_cluster_grading_give_the_serial_scores(three_ways):
    serial_course, serial = three_ways["serial"]
    expected = gradebook_scores(serial_course)
    assert set(expected) == {"ada", "bob", "cy"}
    assert serial.exit_code == api.OK and [s.student for s in serial.students] == ["ada", "bob", "cy"]
    scores = {s.student: s.score for s in serial.students}
    assert scores["ada"] == serial.students[0].max_score and scores["bob"] == 0 and 0 < scores["cy"] < scores["ada"]
    for way in ("jobs2", "cluster"):
        course, batch = three_ways[way]
        assert gradebook_scores(course) == expected, f"{way}: the gradebook differs from the serial run's"
        assert {s.student: s.scores() for s in batch.students} == {s.student: s.scores() for s in serial.students}
        assert batch.exit_code == api.OK and all(s.seconds for s in batch.students)
        for student in ("ada", "bob", "cy"):
            assert (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").exists(), f"{way}: {student}"
        with open(batch.grades_csv, newline="") as handle:
            rows = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}
        assert rows == {s.student: s.score for s in serial.students}, f"{way}: grades.csv"


def test_default_jobs_shares_the_cores():
    from grading.parallel import default_jobs

    assert default_jobs(1) == (os.cpu_count() or 1) and default_jobs(10**6) == 1
