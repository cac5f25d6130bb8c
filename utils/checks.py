"""Checks for assignment test cells (each raises AssertionError with a message a student can act on), and
`self_check` for the lectures' exercises (it prints, never raises, and never shows the expected answer)."""
from collections.abc import Callable, Sequence

import torch
from torch import nn


def _format_shape(shape: Sequence[int | None]) -> str:
    """(64, 10) for a shape; None entries (any size) print as N."""
    inner = ", ".join("N" if size is None else str(size) for size in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def check_shape(tensor: torch.Tensor, expected: Sequence[int | None], name: str = "output") -> None:
    """Fail with 'expected output shape (N, 10), got (64, 84)' unless the shape matches (None = any size)."""
    if not isinstance(tensor, torch.Tensor):
        raise AssertionError(f"expected {name} to be a torch.Tensor, got {type(tensor).__name__}")
    actual = tuple(tensor.shape)
    matches = len(actual) == len(expected) and all(e is None or a == e for a, e in zip(actual, expected))
    if not matches:
        raise AssertionError(f"expected {name} shape {_format_shape(expected)}, got {_format_shape(actual)}")


def count_trainable(module: nn.Module) -> int:
    """The number of parameters of a module that require gradients."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def check_param_count(module: nn.Module, expected: int, name: str = "the model") -> None:
    """Fail with 'expected 156 parameters in conv1, got 150' unless the trainable count matches."""
    actual = count_trainable(module)
    if actual != expected:
        raise AssertionError(f"expected {expected:,} parameters in {name}, got {actual:,}")


def check_equal(actual: object, expected: object, name: str = "the result") -> None:
    """Fail with 'expected <name> to be 14, got 13' unless actual == expected."""
    if actual != expected:
        raise AssertionError(f"expected {name} to be {expected!r}, got {actual!r}")


def check_close(actual: torch.Tensor | float, expected: torch.Tensor | float, name: str = "the result",
                rtol: float = 1e-4, atol: float = 1e-6) -> None:
    """Fail, naming the largest difference, unless actual and expected agree within tolerance."""
    actual_t, expected_t = (torch.as_tensor(value).detach().cpu().double() for value in (actual, expected))  # MPS has no float64
    if actual_t.shape != expected_t.shape:
        raise AssertionError(f"expected {name} shape {_format_shape(expected_t.shape)}, got {_format_shape(actual_t.shape)}")
    if not torch.allclose(actual_t, expected_t, rtol=rtol, atol=atol):
        difference = (actual_t - expected_t).abs().max().item()
        raise AssertionError(f"{name} is off: largest difference {difference:.3g} (tolerance rtol={rtol}, atol={atol})")


def check_at_least(value: float, minimum: float, name: str = "the value") -> None:
    """Fail with 'expected test accuracy of at least 0.97, got 0.9512' unless value >= minimum."""
    if not value >= minimum:
        raise AssertionError(f"expected {name} of at least {minimum}, got {value:.4g}")


def self_check(exercise: str, answer: object, is_right: Callable[[object], bool], hint: str) -> bool | None:
    """Print whether an exercise's answer passes is_right, with a hint if not, never the answer; None if unanswered."""
    if answer is None:
        print(f"{exercise}: not answered yet (replace None with your answer, then run this cell again)")
        return None
    try:
        right = bool(is_right(answer))
    except Exception as error:  # a wrong type or shape is a wrong answer, with its reason
        print(f"{exercise}: not yet ({type(error).__name__}: {error}). {hint}")
        return False
    print(f"{exercise}: right." if right else f"{exercise}: not yet. {hint}")
    return right
