"""Run a student's kernel in a sandbox: bubblewrap namespaces over an allowlist of mounts, and resource limits.

The instructor command installs a kernelspec whose argv is `python -m grading.sandbox -f {connection_file}`.
This launcher then starts the usual IPython kernel inside `bwrap`, which mounts only what the kernel needs:
- read-only: the system's programs and libraries (/usr and its links /bin, /lib...), the few files of /etc a
  Python process reads (dynamic linker, users, fonts, certificates), the Python environment (sys.prefix,
  sys.base_prefix, the site-packages folders on sys.path), and the course files the kernelspec names in
  GRADING_READ_ONLY (`utils/`, `pretrained/`, the data root);
- read-write: the notebook's own folder and the runtime folder of the kernel's connection file and sockets;
- empty: /tmp (HOME and the decoded-data cache, COURSE_CACHE_DIR, are rebuilt in it), /dev/shm.
Nothing else exists inside: no course folder, no other checkout, no home folder, no network (a new network
namespace; the kernel talks to nbgrader over Unix sockets). The kernel runs as `nobody` without capabilities, in
its own PID namespace, and dies with nbgrader. Limits: memory (RLIMIT_DATA), file size, no core dumps, CPU time
(RLIMIT_CPU) and processes plus threads (RLIMIT_NPROC, or a pids cgroup where the instructor is root, for whom
the kernel ignores RLIMIT_NPROC). Time per cell is limited by nbgrader (`c.Execute.timeout`).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

KERNEL_NAME = "dl-course-sandbox"
MEMORY_MB = 4096  # per kernel; the modified LeNet's solution peaks near 1.2 GB of data memory
FILE_MB = 512
PROCESSES = 256  # processes and threads of one kernel: torch uses a few dozen threads
CPU_SECONDS = 3600  # CPU time of one kernel over the whole notebook: far above any assignment's need
SYSTEM_ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "nsswitch.conf", "passwd", "group", "localtime",
              "fonts", "ssl", "ca-certificates", "alternatives", "mime.types"]
SANDBOX_HOME, SANDBOX_CACHE = "/tmp/home", "/tmp/cache"


def python_folders(path: list[str] | None = None) -> list[Path]:
    """The Python environment the kernel needs: its prefixes and the site-packages folders on sys.path."""
    folders = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent.parent]
    for entry in sys.path if path is None else path:
        if entry and Path(entry).name in ("site-packages", "dist-packages") and Path(entry).is_dir():
            folders.append(Path(entry))
    return unique_outermost([folder.resolve() for folder in folders])


def unique_outermost(folders: list[Path]) -> list[Path]:
    """The folders without duplicates and without those inside another one of the list."""
    kept = []
    for folder in sorted(set(folders), key=lambda p: (len(p.parts), str(p))):  # a stable order
        if not any(outer == folder or outer in folder.parents for outer in kept):
            kept.append(folder)
    return kept


def system_mounts() -> list[str]:
    """bwrap arguments for the system: /usr read-only, its top-level links (/bin, /lib...), pieces of /etc."""
    arguments = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = Path("/") / name
        if top.is_symlink():
            arguments += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            arguments += ["--ro-bind", str(top), str(top)]
    for name in SYSTEM_ETC:
        if (Path("/etc") / name).exists():
            arguments += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return arguments


def bwrap_command(kernel_argv: list[str], workdir: Path, runtime_dir: Path, readable: list[Path],
                  env: dict[str, str] | None = None) -> list[str]:
    """The bwrap command line that runs `kernel_argv` in `workdir`, seeing only the allowlist.

    `readable` folders are mounted read-only at their own paths; `env` is set inside.
    """
    if runtime_dir in (Path("/"), Path("/tmp")) or workdir in runtime_dir.parents:
        raise ValueError(f"the kernel's runtime folder {runtime_dir} is too wide to share: set JUPYTER_RUNTIME_DIR")
    command = ["bwrap", *system_mounts(), "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/dev/shm", "--tmpfs", "/tmp"]
    for folder in unique_outermost([*python_folders(), *[Path(p) for p in readable if Path(p).exists()]]):
        command += ["--ro-bind", str(folder), str(folder)]
    command += ["--bind", str(runtime_dir), str(runtime_dir), "--bind", str(workdir), str(workdir)]
    command += ["--dir", SANDBOX_HOME, "--dir", SANDBOX_CACHE, "--unsetenv", "JPY_PARENT_PID"]
    inside = {"HOME": SANDBOX_HOME, "TMPDIR": "/tmp", "MPLCONFIGDIR": f"{SANDBOX_HOME}/mpl",
              "COURSE_CACHE_DIR": SANDBOX_CACHE, **(env or {})}
    for name, value in inside.items():
        command += ["--setenv", name, value]
    command += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-user",
                "--uid", "65534", "--gid", "65534", "--die-with-parent", "--chdir", str(workdir), "--", *kernel_argv]
    return command


def set_limits(memory_mb: int, file_mb: int = FILE_MB, processes: int = PROCESSES,
               cpu_seconds: int = CPU_SECONDS) -> None:
    """Limit this process and its children: data memory, written files, core dumps, processes, CPU time."""
    import resource  # POSIX only: the sandbox is Linux-only, but `import grading` must work everywhere (--no-sandbox)

    resource.setrlimit(resource.RLIMIT_DATA, (memory_mb * 2**20, memory_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * 2**20, file_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 10))


def pids_cgroup_base() -> Path | None:
    """A writable cgroup folder with the pids controller (cgroup v1's pids hierarchy), or None."""
    base = Path("/sys/fs/cgroup/pids")
    return base if (base / "cgroup.procs").exists() and os.access(base, os.W_OK) else None


def make_batch_cgroup() -> Path | None:
    """Where the instructor is root (RLIMIT_NPROC does not bind root), a pids cgroup for this batch's kernels."""
    base = pids_cgroup_base() if os.geteuid() == 0 else None
    if base is None:
        return None
    folder = base / f"dl-course-grading-{os.getpid()}-{secrets.token_hex(4)}"  # batches may run side by side
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        return None
    return folder


def remove_batch_cgroup(folder: Path | None) -> None:
    """Remove the batch's cgroup and its kernels' cgroups (empty once their kernels have ended)."""
    if folder is None:
        return
    for child in sorted(folder.glob("kernel-*"), reverse=True):
        try:
            child.rmdir()
        except OSError:
            pass
    try:
        folder.rmdir()
    except OSError:
        pass


def join_kernel_cgroup(batch: Path, processes: int) -> None:
    """Put this process in a cgroup of its own under `batch`, capped at `processes` processes and threads."""
    folder = batch / f"kernel-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    (folder / "pids.max").write_text(str(processes))
    (folder / "cgroup.procs").write_text(str(os.getpid()))


def bwrap_works() -> bool:
    """Whether bubblewrap is installed and can make the namespaces the sandbox needs here."""
    if not shutil.which("bwrap"):
        return False
    probe = ["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--unshare-user",
             "--uid", "65534", "--gid", "65534", "--", "true"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def write_kernelspec(jupyter_path: Path, readable: list[Path], memory_mb: int = MEMORY_MB,
                     env: dict[str, str] | None = None) -> str:
    """Write the sandbox kernelspec under `jupyter_path`/kernels (put that folder on JUPYTER_PATH); return its name.

    `readable`: the course folders the kernel may read; `env`: variables for the launcher (limits, cgroup, data root).
    """
    folder = jupyter_path / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "grading.sandbox", "-f", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        "interrupt_mode": "message",  # signals may not cross into the sandbox's PID namespace
        "env": {"GRADING_MEMORY_MB": str(memory_mb), "GRADING_READ_ONLY": json.dumps([str(p) for p in readable]),
                **(env or {})},
        "metadata": {"debugger": False},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return KERNEL_NAME


def main(argv: list[str]) -> None:
    """Kernel launcher: `python -m grading.sandbox -f CONNECTION_FILE [kernel options]`."""
    connection_file = Path(argv[argv.index("-f") + 1]).resolve()
    workdir = Path.cwd().resolve()
    readable = [Path(p) for p in json.loads(os.environ.get("GRADING_READ_ONLY", "[]"))]
    inside = {"COURSE_DATA_ROOT": os.environ["GRADING_DATA_ROOT"]} if os.environ.get("GRADING_DATA_ROOT") else {}
    processes = int(os.environ.get("GRADING_PROCESSES", PROCESSES))
    set_limits(int(os.environ.get("GRADING_MEMORY_MB", MEMORY_MB)), processes=processes,
               cpu_seconds=int(os.environ.get("GRADING_CPU_SECONDS", CPU_SECONDS)))
    if os.environ.get("GRADING_PIDS_CGROUP"):
        join_kernel_cgroup(Path(os.environ["GRADING_PIDS_CGROUP"]), processes)
    kernel_argv = [sys.executable, "-m", "ipykernel_launcher", *argv]
    command = bwrap_command(kernel_argv, workdir, connection_file.parent, readable, inside)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
