"""Quick mode: one environment variable that shrinks epochs and data for CI and slow laptops."""
import os
from typing import TypeVar

QUICK_ENV = "COURSE_QUICK"

T = TypeVar("T")


def is_quick() -> bool:
    """True when the environment variable COURSE_QUICK is set to 1, true or yes."""
    return os.environ.get(QUICK_ENV, "").strip().lower() in {"1", "true", "yes"}


def pick(full: T, quick: T) -> T:
    """Return `quick` in quick mode and `full` otherwise, e.g. num_epochs = pick(full=10, quick=1)."""
    return quick if is_quick() else full
