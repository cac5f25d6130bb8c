import pytest

import utils


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("YES", True), ("0", False), ("", False), ("no", False)])
def test_is_quick_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("COURSE_QUICK", value)
    assert utils.is_quick() is expected


def test_is_quick_is_false_when_unset(monkeypatch):
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    assert utils.is_quick() is False


def test_pick_follows_the_mode(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert utils.pick(full=10, quick=1) == 1
    monkeypatch.setenv("COURSE_QUICK", "0")
    assert utils.pick(full=10, quick=1) == 10
