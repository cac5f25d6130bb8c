"""Shared fixtures for the tests: draw off screen, and know where the repository is."""
import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")   # Debian's chromium, driven by Playwright
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def launch_chromium(driver, profile: Path | None = None):
    """Headless chromium from a Playwright driver: a context with its own profile folder, or a browser without one."""
    if profile is None:
        return driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    return driver.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, headless=True,
                                                     viewport={"width": 1400, "height": 1000}, args=CHROMIUM_ARGS)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened, so tests do not leak memory into each other."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
