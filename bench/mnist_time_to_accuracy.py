"""Benchmark 3: training time for the slides' MNIST net to reach 99.0% test accuracy.

Median over 3 seeds of the training time only (the test-set evaluation after each epoch, the data loading and a
warm-up step are timed apart). Training runs through utils.fit, the loop the lectures run, on utils.mnist_convnet,
lecture 03's network. Recipes, run in the same process so that their ratios share the machine's state:
  slides:   the slides' plain recipe, SGD lr 0.1, batch 100, no momentum (lecture 03's baseline), up to 20 epochs;
  onecycle: the course's earlier fast recipe: SGD with Nesterov momentum and a one-cycle schedule to 0.2,
            batch 256, 4 epochs;
  fast:     lecture 03's fast recipe: utils.one_cycle_adamw (AdamW, one-cycle to 0.006) over 2 epochs of
            batch 256, label smoothing 0.1.
A recipe name may end in options: +bf16 (bfloat16 autocast), +cl (channels_last memory layout), +cudnn
(cudnn.benchmark; nothing on a CPU), e.g. fast+bf16+cl, which is what utils.speed_options gives on a CPU with
bfloat16 units. Each run prints its achieved FLOP/s against the CPU's peaks (bench.common.cpu_peaks).
The slides' anchor: 10 epochs in about 7 s on a GTX 1080 for about 1% error.
Goals: at most 7 s on a 2-core CPU (issue 18); at most 1 s on one H100, then 0.25 s.

    python -m bench.mnist_time_to_accuracy [--tiny] [--device cuda] [--recipes slides,onecycle,fast,fast+bf16+cl]
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
    quiet,
    timed,
    training_flop,
)

TARGET = 0.99


def slides_optimizer(model, total_steps):
    return torch.optim.SGD(model.parameters(), lr=0.1), None


def onecycle_optimizer(model, total_steps):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.2, total_steps=total_steps, pct_start=0.25)
    return optimizer, scheduler


# name: (make optimizer and scheduler, batch size, number of epochs at most, label smoothing)
RECIPES = {"slides": (slides_optimizer, 100, 20, 0.0), "onecycle": (onecycle_optimizer, 256, 4, 0.0),
           "fast": (utils.one_cycle_adamw, 256, 2, 0.1)}
OPTIONS = {"bf16", "cl", "cudnn"}


def parse_recipe(name: str) -> tuple[str, list[str]]:
    """'fast+cl+bf16' -> ('fast', ['cl', 'bf16']); an unknown recipe or option stops the benchmark with a message."""
    base, *options = name.split("+")
    if base not in RECIPES or set(options) - OPTIONS:
        raise SystemExit(f"unknown recipe {name!r}: use {', '.join(RECIPES)}, each optionally with +bf16, +cl, +cudnn")
    return base, options


def time_to_target(name, X, y, X_test, y_test, device, seed, target) -> tuple[float | None, int, float, float]:
    """(training seconds until test accuracy >= target, or None; epochs run; last test accuracy; FLOP trained)."""
    base, options = parse_recipe(name)
    make_optimizer, batch_size, max_epochs, smoothing = RECIPES[base]
    autocast_dtype = torch.bfloat16 if "bf16" in options else None
    channels_last = "cl" in options
    torch.backends.cudnn.benchmark = "cudnn" in options
    utils.set_seed(seed)
    model = utils.mnist_convnet().to(device)
    loader = utils.TensorLoader(X, y, batch_size, device=device)
    optimizer, scheduler = make_optimizer(model, max_epochs * len(loader))
    loss_fn = lambda outputs, targets: nn.functional.cross_entropy(outputs, targets, label_smoothing=smoothing)  # noqa: E731
    flop_per_example = training_flop(model, (X[:8].to(device), y[:8].to(device)), loss_fn) / 8
    test_loader = utils.TensorLoader(X_test, y_test, 2000, shuffle=False, device=device)
    training_seconds, accuracy, epochs = 0.0, 0.0, 0
    while epochs < max_epochs and accuracy < target:
        with quiet():
            training_seconds += timed(lambda: utils.fit(
                model, loader, optimizer, 1, loss_fn=loss_fn, scheduler=scheduler, schedule_every_step=True,
                autocast_dtype=autocast_dtype, channels_last=channels_last), device)
        epochs += 1
        accuracy = utils.evaluate(model, test_loader)["accuracy"]
    torch.backends.cudnn.benchmark = False
    flop = flop_per_example * len(X) * epochs
    return (training_seconds if accuracy >= target else None), epochs, accuracy, flop


def warm_up(names, X, y, device) -> None:
    """One short run per option set, untimed: oneDNN and cuDNN build their kernels on first use."""
    for name in {"+".join(["fast", *parse_recipe(name)[1]]) for name in names}:
        with quiet():
            time_to_target(name, X[:1024], y[:1024], X[:1024], y[:1024], device, 0, 1.01)


def main() -> None:
    def extra(parser):
        parser.add_argument("--recipes", default="slides,onecycle,fast,fast+bf16+cl",
                            help=f"comma-separated: {', '.join(RECIPES)}, each optionally +cl (channels_last), "
                                 "+bf16, +cudnn")

    args = parse_args(__doc__.splitlines()[0], extra)
    device = pick_device(args.device)
    names = args.recipes.split(",")
    for name in names:
        parse_recipe(name)
    header(f"time to {TARGET:.1%} MNIST test accuracy, slides' MNIST net, training time only", device)
    if device.type == "cpu":
        print(peak_line())
    start = time.perf_counter()
    limit = 2_000 if args.tiny else None
    X, y = utils.load_mnist("train", limit=limit)
    X_test, y_test = utils.load_mnist("test", limit=limit)
    print(f"data loading (apart): {time.perf_counter() - start:.2f} s")
    warm_up(names, X, y, device)
    target = 0.5 if args.tiny else TARGET
    seeds = range(1 if args.tiny else args.repeats)
    results = {}
    for name in names:
        runs = [time_to_target(name, X, y, X_test, y_test, device, seed, target) for seed in seeds]
        for seconds, epochs, accuracy, flop in runs:
            status = f"{seconds:.2f} s" if seconds is not None else "not reached"
            speed = f"; {fraction_of_peak(flop, seconds)}" if seconds and device.type == "cpu" else ""
            print(f"{name:>14}: {status} after {epochs} epochs (test accuracy {accuracy:.2%}){speed}", flush=True)
        reached = [seconds for seconds, *_ in runs if seconds is not None]
        results[name] = median(reached) if len(reached) == len(runs) else None
    for name, seconds in results.items():
        print(f"{name:>14}: median time to {target:.1%}: " + (f"{seconds:.2f} s" if seconds is not None else "not reached by every seed"))
    for baseline in ("slides", "onecycle"):
        for name, seconds in results.items():
            if name not in ("slides", baseline) and seconds and results.get(baseline):
                print(f"speed-up of {name} over {baseline}: x{results[baseline] / seconds:.2f}")


if __name__ == "__main__":
    main()
