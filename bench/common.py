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
from utils.device import cpu_flags


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


# FLOP per cycle per core: two 512-bit fused multiply-adds per cycle (2 ports x 16 fp32 lanes x 2), twice that for
# AVX-512 BF16 dot products, and Intel's figure for an AMX tile unit (1,024 bf16 FLOP per cycle). Two FMA ports, as
# Xeon server cores have: the course's CPU ran lecture 05's float32 LSTM at 179 GFLOP/s, above the peak of one port
# (BENCHMARKS.md), so one port would be too few.
FLOP_PER_CYCLE = {"fp32 (AVX-512 FMA)": 64, "bf16 (AVX-512 BF16)": 128, "bf16 (AMX)": 1024}


def cpu_clock_ghz() -> float:
    """The CPU's clock in GHz as /proc/cpuinfo reports it (Linux), else 2.6 (the course's CI machine)."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return float(next(line for line in cpuinfo if line.startswith("cpu MHz")).split(":")[1]) / 1000
    except (OSError, StopIteration, ValueError):
        return 2.6


def cpu_peaks() -> dict[str, float]:
    """FLOP/s at the arithmetic peak of the threads torch uses: threads x clock x FLOP per cycle, per unit."""
    cores_times_hz = torch.get_num_threads() * cpu_clock_ghz() * 1e9
    flags = cpu_flags()
    units = {"fp32 (AVX-512 FMA)": "avx512f", "bf16 (AVX-512 BF16)": "avx512_bf16", "bf16 (AMX)": "amx_bf16"}
    return {unit: cores_times_hz * FLOP_PER_CYCLE[unit] for unit, flag in units.items() if flag in flags}


def peak_line() -> str:
    """How the peaks were computed, for a benchmark's header."""
    peaks = ", ".join(f"{unit} {flops / 1e9:,.0f} GFLOP/s" for unit, flops in cpu_peaks().items())
    return (f"# CPU peak: {torch.get_num_threads()} threads x {cpu_clock_ghz():.2f} GHz x FLOP/cycle "
            f"{ {u: FLOP_PER_CYCLE[u] for u in cpu_peaks()} }: {peaks or 'no AVX-512 units found'}")


def training_flop(model: torch.nn.Module, batch: tuple[torch.Tensor, ...], loss_fn) -> float:
    """FLOP of one training step (forward and backward) on batch, counted by torch's FlopCounterMode."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        loss_fn(model(*batch[:-1]), batch[-1]).backward()
    model.zero_grad(set_to_none=True)
    return float(counter.get_total_flops())


def fraction_of_peak(flop: float, seconds: float) -> str:
    """The achieved FLOP/s and its fraction of each of the CPU's peaks, as one string."""
    achieved = flop / seconds
    shares = ", ".join(f"{achieved / peak:.1%} of {unit}" for unit, peak in cpu_peaks().items())
    return f"{achieved / 1e9:,.1f} GFLOP/s ({shares or 'no CPU peak known'})"
