"""Benchmark 3: training time for the slides' MNIST net to reach 99.0% test accuracy.

Median over 3 seeds of the training time only (the test-set evaluation after each epoch, the data
loading and any warm-up are timed apart). Training runs through utils.fit, the loop the lectures run (one call
per epoch, its progress bar and history included), on utils.mnist_convnet, lecture 03's network. Two recipes,
run in the same process:
  slides: the slides' plain recipe, SGD lr 0.1, batch 100, no momentum (the lecture's baseline);
  fast:   SGD with Nesterov momentum and a one-cycle learning-rate schedule, batch 256, 4 epochs;
          fast+cl, fast+bf16 and fast+cudnn add channels_last memory layout, bfloat16 autocast and
          cudnn.benchmark (cuDNN times its convolution algorithms once per shape and keeps the fastest;
          on a CPU it changes nothing), alone or together (fast+cl+bf16+cudnn).
The slides' anchor: 10 epochs in about 7 s on a GTX 1080 for about 1% error.
Goals: at most 1 s on one H100 (then 0.25 s), at most 60 s on a 2-core CPU.

    python -m bench.mnist_time_to_accuracy [--tiny] [--device cuda] [--recipes slides,fast,fast+cl+bf16+cudnn]
"""
import time

import torch

import utils
from bench.common import header, median, parse_args, pick_device, quiet, timed

TARGET = 0.99


def slides_optimizer(model, total_steps):
    return torch.optim.SGD(model.parameters(), lr=0.1), None


def fast_optimizer(model, total_steps):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.2, total_steps=total_steps, pct_start=0.25)
    return optimizer, scheduler


# name: (make optimizer and scheduler, batch size, number of epochs at most)
RECIPES = {"slides": (slides_optimizer, 100, 20), "fast": (fast_optimizer, 256, 4)}
# a recipe name may end in options: +bf16 (bfloat16 autocast), +cl (channels_last), +cudnn (cudnn.benchmark),
# e.g. fast+cl+bf16


def parse_recipe(name: str) -> tuple[str, list[str]]:
    """'fast+cl+bf16' -> ('fast', ['cl', 'bf16']); an unknown recipe or option stops the benchmark with a message."""
    base, *options = name.split("+")
    if base not in RECIPES or set(options) - {"bf16", "cl", "cudnn"}:
        raise SystemExit(f"unknown recipe {name!r}: use {' or '.join(RECIPES)}, each optionally with +bf16, +cl, +cudnn")
    return base, options


def time_to_target(name, X, y, X_test, y_test, device, seed, target) -> tuple[float | None, int, float]:
    """(training seconds until test accuracy >= target, or None; epochs run; last test accuracy)."""
    base, options = parse_recipe(name)
    make_optimizer, batch_size, max_epochs = RECIPES[base]
    autocast_dtype = torch.bfloat16 if "bf16" in options else None
    channels_last = "cl" in options
    torch.backends.cudnn.benchmark = "cudnn" in options
    utils.set_seed(seed)
    model = utils.mnist_convnet().to(device)
    loader = utils.TensorLoader(X, y, batch_size, device=device)
    optimizer, scheduler = make_optimizer(model, max_epochs * len(loader))
    step = utils.supervised_step(model, optimizer, autocast_dtype=autocast_dtype, channels_last=channels_last)
    if scheduler is not None:  # the one-cycle schedule moves at every step, not every epoch (fit's scheduler=)
        step = stepping_scheduler(step, scheduler)
    test_loader = utils.TensorLoader(X_test, y_test, 2000, shuffle=False, device=device)
    training_seconds, accuracy, epochs = 0.0, 0.0, 0
    while epochs < max_epochs and accuracy < target:
        with quiet():
            training_seconds += timed(lambda: utils.fit(model, loader, optimizer, 1, step=step,
                                                        channels_last=channels_last), device)
        epochs += 1
        accuracy = utils.evaluate(model, test_loader)["accuracy"]
    torch.backends.cudnn.benchmark = False
    return (training_seconds if accuracy >= target else None), epochs, accuracy


def stepping_scheduler(step, scheduler):
    """A step for utils.fit: the given step, then one step of the learning-rate schedule."""

    def step_and_schedule(batch):
        metrics = step(batch)
        scheduler.step()
        return metrics

    return step_and_schedule


def main() -> None:
    def extra(parser):
        parser.add_argument("--recipes", default="slides,fast,fast+cl,fast+bf16,fast+cudnn",
                            help="comma-separated: slides, fast, each optionally +cl (channels_last), +bf16, +cudnn")

    args = parse_args(__doc__.splitlines()[0], extra)
    device = pick_device(args.device)
    names = args.recipes.split(",")
    for name in names:
        parse_recipe(name)
    header(f"time to {TARGET:.1%} MNIST test accuracy, slides' MNIST net, training time only", device)
    start = time.perf_counter()
    limit = 2_000 if args.tiny else None
    X, y = utils.load_mnist("train", limit=limit)
    X_test, y_test = utils.load_mnist("test", limit=limit)
    print(f"data loading (apart): {time.perf_counter() - start:.2f} s")
    target = 0.5 if args.tiny else TARGET
    seeds = range(1 if args.tiny else args.repeats)
    results = {}
    for name in names:
        runs = [time_to_target(name, X, y, X_test, y_test, device, seed, target) for seed in seeds]
        for seconds, epochs, accuracy in runs:
            status = f"{seconds:.2f} s" if seconds is not None else "not reached"
            print(f"{name:>7}: {status} after {epochs} epochs (test accuracy {accuracy:.2%})")
        reached = [seconds for seconds, _, _ in runs if seconds is not None]
        results[name] = median(reached) if len(reached) == len(runs) else None
    for name, seconds in results.items():
        print(f"{name:>7}: median time to {target:.1%}: " + (f"{seconds:.2f} s" if seconds is not None else "not reached by every seed"))
    for name, seconds in results.items():
        if name != "slides" and seconds and results.get("slides"):
            print(f"speed-up of {name} over slides: x{results['slides'] / seconds:.2f}")


if __name__ == "__main__":
    main()
