"""What the benchmarks share: a command line, a header naming the device, timing that waits for the GPU.

The networks they time are the lectures' own, imported from utils (utils.mnist_convnet, saved from lecture 03).
"""
import argparse
import contextlib
import datetime
import io
import platform
import statistics
import time
from collections.abc import Callable

import torch

import utils


def parse_args(description: str, extra: Callable[[argparse.ArgumentParser], None] | None = None) -> argparse.Namespace:
    """Common options: --tiny (seconds-long smoke run, for tests), --device, --repeats."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--tiny", action="store_true", help="a seconds-long configuration, to check the benchmark runs")
    parser.add_argument("--device", default=None, help="cpu, cuda or mps (default: the best available)")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions; the median is reported")
    if extra is not None:
        extra(parser)
    return parser.parse_args()


def pick_device(name: str | None) -> torch.device:
    """The device asked for, else the best available one."""
    return torch.device(name) if name else utils.get_device()


def header(title: str, device: torch.device) -> None:
    """Print what is measured, where and when: the line every figure is read with."""
    print(f"# {title}")
    print(f"# device: {utils.describe_device(device)} | torch {torch.__version__} | "
          f"{platform.processor() or platform.machine()} | {datetime.date.today().isoformat()}")


def synchronize(device: torch.device) -> None:
    """Wait until the device has finished its queued work, so a timer measures it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def timed(function: Callable[[], object], device: torch.device) -> float:
    """Seconds that function() takes, the device's queued work included."""
    synchronize(device)
    start = time.perf_counter()
    function()
    synchronize(device)
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


@contextlib.contextmanager
def quiet():
    """Swallow stdout and stderr (progress bars, per-epoch lines) while a timed region runs."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield

