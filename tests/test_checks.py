import pytest
import torch
from torch import nn

import utils


def test_check_shape_message_names_expected_and_actual():
    with pytest.raises(AssertionError, match=r"^expected output shape \(N, 10\), got \(64, 84\)$"):
        utils.check_shape(torch.zeros(64, 84), (None, 10))
    utils.check_shape(torch.zeros(64, 10), (None, 10))
    with pytest.raises(AssertionError, match="expected output shape"):
        utils.check_shape(torch.zeros(64, 10, 1), (None, 10))


def test_check_shape_rejects_non_tensors():
    with pytest.raises(AssertionError, match="to be a torch.Tensor, got list"):
        utils.check_shape([1, 2], (2,))


def test_check_param_count_message():
    with pytest.raises(AssertionError, match=r"^expected 156 parameters in conv1, got 150$"):
        utils.check_param_count(nn.Conv2d(1, 6, 5, bias=False), 156, "conv1")
    utils.check_param_count(nn.Conv2d(1, 6, 5), 156, "conv1")


def test_count_trainable_skips_frozen_parameters():
    layer = nn.Linear(3, 4)
    assert utils.count_trainable(layer) == 16
    layer.weight.requires_grad_(False)
    assert utils.count_trainable(layer) == 4


def test_check_equal_and_at_least():
    utils.check_equal(14, 14)
    with pytest.raises(AssertionError, match=r"expected size to be 14, got 13"):
        utils.check_equal(13, 14, "size")
    utils.check_at_least(0.98, 0.97, "test accuracy")
    with pytest.raises(AssertionError, match=r"expected test accuracy of at least 0.97, got 0.9512"):
        utils.check_at_least(0.9512, 0.97, "test accuracy")
    with pytest.raises(AssertionError):
        utils.check_at_least(float("nan"), 0.5)


def test_check_close_reports_the_largest_difference():
    utils.check_close(torch.ones(3), torch.ones(3) + 1e-8)
    with pytest.raises(AssertionError, match=r"gradient is off: largest difference 0.5"):
        utils.check_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.5]), "gradient")
    with pytest.raises(AssertionError, match=r"expected gradient shape \(3,\), got \(2,\)"):
        utils.check_close(torch.zeros(2), torch.zeros(3), "gradient")


def test_self_check_says_right_not_yet_or_unanswered_and_never_raises(capsys):
    is_nand = lambda f: [f(a, b) for a in (0, 1) for b in (0, 1)] == [1, 1, 1, 0]  # noqa: E731
    assert utils.self_check("NAND", None, is_nand, "hint") is None
    assert "not answered yet" in capsys.readouterr().out
    assert utils.self_check("NAND", lambda a, b: int(not (a and b)), is_nand, "hint") is True
    assert capsys.readouterr().out.strip() == "NAND: right."
    assert utils.self_check("NAND", lambda a, b: a and b, is_nand, "negative weights?") is False
    out = capsys.readouterr().out
    assert "not yet" in out and "negative weights?" in out and "[1, 1, 1, 0]" not in out
    assert utils.self_check("NAND", "not a function", is_nand, "write a function") is False
    assert "TypeError" in capsys.readouterr().out
