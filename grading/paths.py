"""Where the course's files are, as `utils/config.py` says (read by file: no torch, no `utils` face imported)."""
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
def config() -> ModuleType:
    """A private copy of utils/config.py, the course's settings (it imports only the standard library)."""
    spec = importlib.util.spec_from_file_location("_grading_course_config", utils_dir() / "config.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def data_root() -> Path:
    """The data root the kernels read, resolved (a symlinked root may lie in a folder the sandbox leaves out)."""
    return config().settings().data_root.expanduser().resolve()


def course_readable() -> list[Path]:
    """The course folders a sandboxed kernel may read: utils/, pretrained/ beside it, the data root."""
    return [utils_dir(), utils_dir().parent / "pretrained", data_root()]
