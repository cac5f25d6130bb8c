"""Where the course's files are, as the data floor of `utils` says (read by file, without importing the face)."""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from types import ModuleType


def utils_dir() -> Path:
    """The folder of the course's `utils` package, found without running its __init__."""
    spec = importlib.util.find_spec("utils")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the course's utils package is not importable: run `pip install -e .` in the course")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


@lru_cache(maxsize=1)
def data_module() -> ModuleType:
    """A private copy of utils/data.py (the data floor imports nothing else of utils)."""
    spec = importlib.util.spec_from_file_location("_grading_course_data", utils_dir() / "data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def data_root() -> Path:
    """The data root the kernels read, resolved (a symlinked root may lie in a folder the sandbox leaves out)."""
    return data_module().data_root().expanduser().resolve()


def course_readable() -> list[Path]:
    """The course folders a sandboxed kernel may read: utils/, pretrained/ beside it, the data root."""
    return [utils_dir(), utils_dir().parent / "pretrained", data_root()]
