import pytest
import torch

import utils
from utils import mode


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("YES", True), ("0", False), ("false", False), ("no", False)])
def test_course_quick_wins_on_any_device(monkeypatch, value, expected):
    monkeypatch.setenv("COURSE_QUICK", value)
    for cuda in (False, True):
        monkeypatch.setattr(torch.cuda, "is_available", lambda cuda=cuda: cuda)
        assert utils.is_quick() is expected, f"COURSE_QUICK={value} with cuda={cuda}"


@pytest.mark.parametrize("value", [None, "", "maybe"])
def test_without_course_quick_the_device_decides(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("COURSE_QUICK", raising=False)
    else:
        monkeypatch.setenv("COURSE_QUICK", value)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert utils.is_quick() is True, "a CPU (or Apple GPU) should get quick mode unless told"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert utils.is_quick() is False, "a CUDA GPU should get full mode unless told"


def test_pick_follows_the_mode(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert utils.pick(full=10, quick=1) == 1
    monkeypatch.setenv("COURSE_QUICK", "0")
    assert utils.pick(full=10, quick=1) == 10


def test_mode_line_on_a_cpu_says_why_how_to_switch_and_how_long(monkeypatch):
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    line = utils.mode_line("05_rnn_text_generation")
    assert line.startswith("quick mode (no CUDA GPU here)")
    assert "%env COURSE_QUICK=0" in line and f"it takes {mode.RUN_TIMES['05_rnn_text_generation']['full']}" in line
    monkeypatch.setitem(mode.RUN_TIMES, "04_transfer_learning", {"quick": "36 s", "full": None})
    assert "not measured" in utils.mode_line("04_transfer_learning"), "say so where the full-mode time was never measured"


def test_mode_line_when_told_or_on_a_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    line = utils.mode_line("03_convnets")
    assert line.startswith("full mode (a CUDA GPU is here)") and "%env COURSE_QUICK=1" in line and mode.RUN_TIMES["03_convnets"]["quick"] in line
    monkeypatch.setenv("COURSE_QUICK", "1")
    line = utils.mode_line("03_convnets")
    assert line.startswith("quick mode (COURSE_QUICK=1 is set)") and mode.RUN_TIMES["03_convnets"]["full"] in line


def test_every_lecture_has_its_run_times():
    from conftest import REPO

    lectures = {path.stem for path in (REPO / "lectures").glob("*.ipynb")}
    assert lectures <= set(mode.RUN_TIMES), f"add run times (None: not measured) to utils/mode.py for {sorted(lectures - set(mode.RUN_TIMES))}"
    assert all(set(times) == {"quick", "full"} for times in mode.RUN_TIMES.values())


def test_full_result_names_the_run_or_says_there_is_none():
    line = mode.full_result("06_gans")
    run = mode.FULL_RESULTS["06_gans"]
    assert "Fréchet distance" in line and mode.RUN_TIMES["06_gans"]["full"] in line and run["date"] in line and "CPU" in line
    assert "not run by the course yet" in mode.full_result("no_such_lecture")
    assert set(mode.FULL_RESULTS) <= set(mode.RUN_TIMES), "a full result needs its lecture in RUN_TIMES"
    assert all(mode.RUN_TIMES[name]["full"] for name in mode.FULL_RESULTS), "a full result needs its full-mode time"
