"""The course's JupyterHub settings, read from the environment, shared by jupyterhub_config.py and the tests.

DL_COURSE_INSTRUCTORS, DL_COURSE_STUDENTS   comma-separated Unix user names (the hub's groups formgrade-dl-course
                                            and nbgrader-dl-course)
DL_COURSE_EXCHANGE                          nbgrader's exchange (default /srv/nbgrader/exchange, mode 1777)
DL_COURSE_DIR                               the instructor's course root (default ~<first instructor>/dl-course)
DL_COURSE_USER_PYTHON                       the Python of the users' servers (default: the hub's own)
COURSE_DATA_ROOT                            the data root every user reads (read-only is enough)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

COURSE_ID = "dl-course"
INSTRUCTOR_GROUP, STUDENT_GROUP = f"formgrade-{COURSE_ID}", f"nbgrader-{COURSE_ID}"
HUB = Path(__file__).resolve().parent
DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"
PASSED_ON = ("COURSE_DATA_ROOT", "COURSE_QUICK", "COURSE_CELL_TIMEOUT", "LANG", "LC_ALL", "LD_LIBRARY_PATH")


def names(variable: str) -> list[str]:
    """The user names listed, comma-separated, in an environment variable."""
    return [name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()]


def instructors() -> list[str]:
    """The instructors' user names."""
    return names("DL_COURSE_INSTRUCTORS")


def students() -> list[str]:
    """The students' user names."""
    return names("DL_COURSE_STUDENTS")


def exchange_root() -> str:
    """nbgrader's exchange folder, shared by every user."""
    return os.environ.get("DL_COURSE_EXCHANGE", DEFAULT_EXCHANGE)


def course_dir() -> str:
    """The instructor's course root: a copy of the course's repository (nbgrader_config.py, solutions/...)."""
    first = (instructors() or ["instructor"])[0]
    return os.environ.get("DL_COURSE_DIR", os.path.expanduser(f"~{first}/{COURSE_ID}"))


def user_python() -> str:
    """The Python that runs each user's JupyterLab: an environment every user can read, with the course installed."""
    return os.environ.get("DL_COURSE_USER_PYTHON", sys.executable)


def role(groups: list[str]) -> str:
    """'instructor' for members of formgrade-dl-course, else 'student'."""
    return "instructor" if INSTRUCTOR_GROUP in groups else "student"


def user_environment(role_name: str) -> dict[str, str]:
    """The environment of a user's server: nbgrader's course config on JUPYTER_CONFIG_PATH, the exchange, the data."""
    folders = [HUB / "jupyter" / role_name, HUB / "jupyter" / "common"]  # students: formgrader hidden
    config_path = [str(folder) for folder in folders if folder.is_dir()]
    env = {"JUPYTER_CONFIG_PATH": os.pathsep.join(config_path), "DL_COURSE_EXCHANGE": exchange_root(),
           "PATH": os.pathsep.join([str(Path(user_python()).parent), "/usr/local/bin", "/usr/bin", "/bin"])}
    if role_name == "instructor":
        env["DL_COURSE_DIR"] = course_dir()
    env.update({name: os.environ[name] for name in PASSED_ON if name in os.environ})
    return env
