"""The course's settings: every COURSE_* environment variable is read here and nowhere else.

The ground floor of `utils`: it imports only the standard library, so the grading command loads it by file
(grading/paths.py) without importing torch. Each function reads the environment when called, never at import.

    COURSE_QUICK               1/true/yes: quick mode; 0/false/no: full mode; unset: full only with a CUDA GPU
    COURSE_DATA_ROOT           the folder of the data sets (default: data/ in a checkout, else ~/.cache/dl-course/data)
    COURSE_CACHE_DIR           decoded caches (default: ~/.cache/dl-course)
    COURSE_DATA_MIRROR         a base URL serving <mirror>/<key> instead of the canonical sources
    COURSE_DATA_MD5_OVERRIDES  a JSON file {key: md5} for a mirror that serves other files
    COURSE_CELL_TIMEOUT        seconds a graded cell may run (nbgrader_config.py; default 180)
    COURSE_FAST                0/false/no: no speed options (bf16 autocast, channels_last) even where measured faster
"""
import os
from dataclasses import dataclass
from pathlib import Path

QUICK_ENV = "COURSE_QUICK"
DATA_ROOT_ENV = "COURSE_DATA_ROOT"
CACHE_ENV = "COURSE_CACHE_DIR"
MIRROR_ENV = "COURSE_DATA_MIRROR"
MD5_OVERRIDES_ENV = "COURSE_DATA_MD5_OVERRIDES"
CELL_TIMEOUT_ENV = "COURSE_CELL_TIMEOUT"
FAST_ENV = "COURSE_FAST"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CELL_TIMEOUT = 180


@dataclass(frozen=True)
class Settings:
    """Where data lives and comes from, as the environment says right now."""

    data_root: Path
    cache_dir: Path
    mirror: str | None
    md5_overrides: Path | None


def pretrained_file(name: str) -> Path:
    """A file of pretrained/: the installed package's copy (utils/pretrained/, a non-editable install), else the checkout's."""
    packaged = Path(__file__).resolve().parent / "pretrained" / name
    return packaged if packaged.exists() else REPO_ROOT / "pretrained" / name


def in_checkout() -> bool:
    """True when utils/ runs from a checkout of the course (pyproject.toml beside it), False for an installed copy."""
    return (REPO_ROOT / "pyproject.toml").exists()


def settings() -> Settings:
    """The data settings: $COURSE_DATA_ROOT, $COURSE_CACHE_DIR, $COURSE_DATA_MIRROR, $COURSE_DATA_MD5_OVERRIDES."""
    default_root = REPO_ROOT / "data" if in_checkout() else Path.home() / ".cache" / "dl-course" / "data"
    overrides = os.environ.get(MD5_OVERRIDES_ENV)
    return Settings(
        data_root=Path(os.environ.get(DATA_ROOT_ENV) or default_root).expanduser(),
        cache_dir=Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "dl-course").expanduser(),
        mirror=os.environ.get(MIRROR_ENV) or None,
        md5_overrides=Path(overrides).expanduser() if overrides else None,
    )


def quick_setting() -> bool | None:
    """$COURSE_QUICK read as True (1, true, yes), False (0, false, no) or None (unset or anything else)."""
    value = os.environ.get(QUICK_ENV, "").strip().lower()
    return True if value in {"1", "true", "yes"} else False if value in {"0", "false", "no"} else None


def fast_allowed() -> bool:
    """False when $COURSE_FAST is 0, false or no (the speed options turned off), True otherwise."""
    return os.environ.get(FAST_ENV, "").strip().lower() not in {"0", "false", "no"}


def cell_timeout() -> int:
    """Seconds one graded cell may run: $COURSE_CELL_TIMEOUT, else 180."""
    return int(os.environ.get(CELL_TIMEOUT_ENV) or DEFAULT_CELL_TIMEOUT)


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, nbval, nbgrader), False in a terminal or a script."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config
