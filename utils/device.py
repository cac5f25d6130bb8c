"""Devices, seeds, threads, and `start`: the one call that sets all three at the top of a notebook."""
import random
from pathlib import Path

import numpy as np
import torch

from .config import fast_allowed
from .mode import mode_line


def get_device() -> torch.device:
    """The best available device: cuda, then mps (Apple silicon), then cpu."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def set_seed(seed: int) -> None:
    """Seed python's, numpy's and torch's random generators (all devices) in one call."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def describe_device(device: torch.device) -> str:
    """A one-line description of a device, e.g. 'cuda (NVIDIA H100 80GB HBM3)' or 'cpu (2 threads)'."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return device.type


def cpu_flags() -> set[str]:
    """The CPU's feature flags from /proc/cpuinfo (e.g. 'avx512f', 'amx_bf16'); empty where there is none (not Linux)."""
    cpuinfo = Path("/proc/cpuinfo")
    return set(cpuinfo.read_text().split()) if cpuinfo.exists() else set()


def cpu_has_bf16_units() -> bool:
    """True on a CPU with bfloat16 matrix or dot-product instructions (Intel AMX or AVX-512 BF16; Linux only)."""
    return bool({"amx_bf16", "avx512_bf16"} & cpu_flags())


def speed_options(device: torch.device) -> dict:
    """fit's speed options where bench/ measured them faster: bf16 autocast and channels_last on a CPU with
    bfloat16 units (BENCHMARKS.md: x2.3 per MNIST step); none elsewhere (unmeasured); none with COURSE_FAST=0."""
    fast = fast_allowed() and device.type == "cpu" and cpu_has_bf16_units()
    return {"autocast_dtype": torch.bfloat16 if fast else None, "channels_last": fast}


def set_threads(tiny_model: bool) -> None:
    """The course's thread policy: one CPU thread for tiny models (coordinating threads costs more than it
    gains on tensors of a few thousand numbers, and one thread does not stall on a busy CPU), torch's default else."""
    if tiny_model:
        torch.set_num_threads(1)


def start(seed: int = 0, notebook: str | None = None, tiny_model: bool = False) -> torch.device:
    """A notebook's first call: seed everything, set the thread policy, pick the device, print it (and the mode)."""
    set_seed(seed)
    set_threads(tiny_model)
    device = get_device()
    print(f"device: {describe_device(device)}; torch {torch.__version__}; seed {seed}")
    if notebook is not None:
        print(mode_line(notebook))
    return device
