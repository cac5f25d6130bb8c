"""Shared fixtures for the tests: draw off screen, and know where the repository is."""
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened, so tests do not leak memory into each other."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
