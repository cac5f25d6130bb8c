"""Benchmark 8: each speed lever of issue 18, alone, as a ratio of training steps per second in one run.

One training step of the slides' MNIST net (utils.mnist_convnet, batch 256, AdamW) through utils.supervised_step,
timed over a block of steps; the contenders alternate block by block (3 rounds, median), so that the machine's
noise falls on all of them alike. Levers: channels_last, bf16 autocast, both (what utils.speed_options picks on a
CPU with bfloat16 units), torch.compile (inductor; on a GPU with CUDA graphs, mode "reduce-overhead"; its
compile time printed apart), one thread instead of all,
a fused or a for-each AdamW instead of the default, and digits kept in uint8 until the batch (converted to float
in the step). Each line gives steps per second, the ratio over the baseline and the FLOP/s against the CPU's peaks.

    python -m bench.speed_levers [--tiny] [--device cpu]
"""
import time

import torch
from torch import nn

import utils
from bench.common import (
    fraction_of_peak,
    header,
    median,
    parse_args,
    peak_line,
    pick_device,
    synchronize,
    training_flop,
)

BATCH = 256


def make_step(lever: str, device: torch.device):
    """A function running one training step with the given lever on, and the number of threads it needs."""
    utils.set_seed(0)
    model = utils.mnist_convnet().to(device)
    fused = {"fused AdamW": {"fused": True}, "for-each AdamW": {"foreach": True}}.get(lever, {})
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, **fused)
    bf16 = "bf16" in lever
    channels_last = "channels_last" in lever
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    mode = "reduce-overhead" if device.type == "cuda" else None      # CUDA graphs against launch latency
    forward = torch.compile(model, mode=mode) if "compile" in lever else model
    step = utils.supervised_step(forward, optimizer, autocast_dtype=torch.bfloat16 if bf16 else None,
                                 channels_last=channels_last)
    images = torch.randint(0, 256, (BATCH, 1, 28, 28), dtype=torch.uint8, device=device)
    floats = (images.float() - 33.3) / 78.6
    labels = torch.randint(0, 10, (BATCH,), device=device)
    if lever == "uint8 until the batch":
        return lambda: step(((images.float() - 33.3) / 78.6, labels))
    return lambda: step((floats, labels))


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    device = pick_device(args.device)
    header(f"speed levers, one training step of the slides' MNIST net, batch {BATCH}", device)
    if device.type == "cpu":
        print(peak_line())
    levers = ["baseline (fp32)", "channels_last", "bf16 autocast", "bf16 autocast + channels_last",
              "torch.compile", "torch.compile + bf16 autocast + channels_last", "one thread", "fused AdamW",
              "for-each AdamW", "uint8 until the batch"]
    if args.tiny:
        levers = levers[:2]
    threads = torch.get_num_threads()
    steps = {}
    for lever in levers:
        started = time.perf_counter()
        steps[lever] = make_step(lever, device)
        for _ in range(3):  # warm-up: oneDNN primitives, inductor's compilation
            steps[lever]()
        if "compile" in lever:
            print(f"{lever}: compile and warm-up {time.perf_counter() - started:.1f} s (apart)")
    flop = training_flop(utils.mnist_convnet().to(device), (torch.zeros(BATCH, 1, 28, 28, device=device),
                                                           torch.zeros(BATCH, dtype=torch.long, device=device)),
                         nn.functional.cross_entropy)
    block = 3 if args.tiny else 20
    seconds = {lever: [] for lever in levers}
    for _ in range(1 if args.tiny else args.repeats):
        for lever in levers:
            torch.set_num_threads(1 if lever == "one thread" else threads)
            synchronize(device)
            start = time.perf_counter()
            for _ in range(block):
                steps[lever]()
            synchronize(device)
            seconds[lever].append((time.perf_counter() - start) / block)
    torch.set_num_threads(threads)
    base = median(seconds[levers[0]])
    for lever in levers:
        per_step = median(seconds[lever])
        print(f"{lever:>46}: {1 / per_step:7.1f} steps/s  x{base / per_step:5.2f}  {fraction_of_peak(flop, per_step)}")


if __name__ == "__main__":
    main()
