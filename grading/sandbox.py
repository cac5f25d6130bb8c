"""Run a student's kernel in a sandbox: bubblewrap namespaces and resource limits.

The instructor command installs a kernelspec whose argv is `python -m grading.sandbox -f {connection_file}`.
This launcher then starts the usual IPython kernel inside `bwrap` where
- the course folder (gradebook, solutions, other students' work) and the project holding `utils` are hidden,
  except `utils/` and the data root (read-only) and the notebook's own folder (read-write);
- /home, /root and /tmp are empty, HOME is a fresh empty folder;
- there is no network (a new network namespace; the kernel talks to nbgrader over Unix sockets);
- the kernel runs as `nobody` with no capabilities, in its own PID namespace;
- memory (RLIMIT_DATA), file size (RLIMIT_FSIZE) and core dumps are limited.
The rest of the file system stays visible read-only. Time is limited per cell by nbgrader (`c.Execute.timeout`).
"""
from __future__ import annotations

import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

KERNEL_NAME = "dl-course-sandbox"
MEMORY_MB = 4096  # per kernel; the modified LeNet's solution peaks near 1.2 GB of data memory
FILE_MB = 512


def find_course_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds nbgrader_config.py, or None."""
    for folder in (start, *start.parents):
        if (folder / "nbgrader_config.py").is_file():
            return folder
    return None


def utils_dir() -> Path | None:
    """The folder of the course's `utils` package, as this Python finds it."""
    spec = importlib.util.find_spec("utils")
    return Path(spec.origin).resolve().parent if spec and spec.origin else None


def data_dir(utils_folder: Path | None) -> Path | None:
    """The data root the kernel will read: COURSE_DATA_ROOT, else data/ beside the utils package."""
    if os.environ.get("COURSE_DATA_ROOT"):
        return Path(os.environ["COURSE_DATA_ROOT"]).resolve()
    return utils_folder.parent / "data" if utils_folder else None


def bwrap_command(kernel_argv: list[str], workdir: Path, runtime_dir: Path, hidden: list[Path],
                  readable: list[Path]) -> list[str]:
    """The bwrap command line that runs `kernel_argv` in `workdir` with `hidden` folders emptied.

    Mounts apply in order: the whole system read-only; empty tmpfs over /tmp, /home and /root; the runtime
    folder (connection file, sockets) read-write; empty tmpfs over each hidden folder; `readable` folders
    read-only; the work folder read-write on top.
    """
    if runtime_dir in (Path("/"), Path("/tmp")) or any(folder in runtime_dir.parents for folder in (workdir,)):
        raise ValueError(f"the kernel's runtime folder {runtime_dir} is too wide to share: set JUPYTER_RUNTIME_DIR")
    command = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/dev/shm"]
    for folder in ["/tmp", "/home", "/root"]:
        command += ["--tmpfs", folder]
    command += ["--bind", str(runtime_dir), str(runtime_dir)]  # the connection file and the kernel's sockets
    for folder in hidden:  # after the runtime folder, so that a hidden folder inside it stays hidden
        if folder.is_dir():
            command += ["--tmpfs", str(folder)]
    for folder in readable:
        if folder.exists():
            command += ["--ro-bind", str(folder), str(folder)]
    command += ["--bind", str(workdir), str(workdir),
                "--unsetenv", "JPY_PARENT_PID",  # in a PID namespace the parent looks like init
                "--dir", "/tmp/home", "--setenv", "HOME", "/tmp/home", "--setenv", "TMPDIR", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp/home/mpl",
                "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                "--unshare-user", "--uid", "65534", "--gid", "65534",
                "--die-with-parent", "--chdir", str(workdir), "--", *kernel_argv]
    return command


def set_limits(memory_mb: int, file_mb: int = FILE_MB) -> None:
    """Limit this process and its children: data memory, size of written files, no core dumps."""
    resource.setrlimit(resource.RLIMIT_DATA, (memory_mb * 2**20, memory_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * 2**20, file_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def bwrap_works() -> bool:
    """Whether bubblewrap is installed and can make the namespaces the sandbox needs here."""
    if not shutil.which("bwrap"):
        return False
    probe = ["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--unshare-user",
             "--uid", "65534", "--gid", "65534", "--", "true"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def write_kernelspec(jupyter_path: Path, memory_mb: int = MEMORY_MB) -> str:
    """Write the sandbox kernelspec under `jupyter_path`/kernels (put that folder on JUPYTER_PATH); return its name."""
    folder = jupyter_path / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "grading.sandbox", "-f", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        "interrupt_mode": "message",  # signals may not cross into the sandbox's PID namespace
        "env": {"GRADING_MEMORY_MB": str(memory_mb)},
        "metadata": {"debugger": False},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return KERNEL_NAME


def main(argv: list[str]) -> None:
    """Kernel launcher: `python -m grading.sandbox -f CONNECTION_FILE [kernel options]`."""
    connection_file = Path(argv[argv.index("-f") + 1]).resolve()
    workdir = Path.cwd().resolve()
    utils_folder = utils_dir()
    course = Path(os.environ["GRADING_COURSE_ROOT"]) if os.environ.get("GRADING_COURSE_ROOT") else find_course_root(workdir)
    hidden = [course or workdir.parent] + ([utils_folder.parent] if utils_folder else [])
    # the Python environment may live inside the project (a .venv in the checkout): keep it readable
    readable = [Path(sys.prefix), Path(sys.base_prefix)] + [p for p in (utils_folder, data_dir(utils_folder)) if p]
    kernel_argv = [sys.executable, "-m", "ipykernel_launcher", *argv]
    set_limits(int(os.environ.get("GRADING_MEMORY_MB", MEMORY_MB)))
    command = bwrap_command(kernel_argv, workdir, connection_file.parent, hidden, readable)
    data = data_dir(utils_folder)
    if data is not None:  # the data root as mounted: its resolved path (a symlinked root may lie in a hidden folder)
        position = len(command) - len(kernel_argv) - 1
        command[position:position] = ["--setenv", "COURSE_DATA_ROOT", str(data)]
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
