"""Benchmark 1: utils.fit against the shortest hand-written PyTorch loop (same model, data, device).

Both train utils.mnist_convnet, the network lecture 03 teaches; utils.fit runs as the lectures run it (its
progress bars, running loss and accuracy, history and the per-epoch report, here printed to nowhere).
Prints the overhead of utils.fit as a ratio of the two epoch times, measured alternately in one run.
Goal: at most 5% on CPU and on GPU.

    python -m bench.train_loop_overhead [--tiny] [--device cuda]
"""
import torch
from torch import nn

import utils
from bench.common import header, median, parse_args, pick_device, quiet, timed


def hand_written_epoch(model, loader, optimizer) -> None:
    """The shortest correct training epoch."""
    for X, y in loader:
        loss = nn.functional.cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    device = pick_device(args.device)
    header("utils.fit vs a hand-written loop: one epoch of the slides' MNIST net, SGD lr 0.1, batch 100", device)
    num_train = 1_000 if args.tiny else 60_000
    X, y = utils.load_mnist("train", limit=num_train)
    loader = utils.TensorLoader(X, y, batch_size=100, device=device)
    utils.set_seed(0)
    model = utils.mnist_convnet().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    hand_written_epoch(model, loader, optimizer)  # warm-up: allocator, kernels, caches
    fit_times, hand_times = [], []
    for _ in range(args.repeats):
        with quiet():
            fit_times.append(timed(lambda: utils.fit(model, loader, optimizer, 1), device))
        hand_times.append(timed(lambda: hand_written_epoch(model, loader, optimizer), device))
    fit_time, hand_time = median(fit_times), median(hand_times)
    print(f"examples per epoch: {num_train:,}; repeats: {args.repeats} (median, alternating)")
    print(f"hand-written loop: {hand_time:.3f} s/epoch")
    print(f"utils.fit:         {fit_time:.3f} s/epoch")
    print(f"overhead of utils.fit: {fit_time / hand_time - 1:+.1%} (goal: at most +5%)")


if __name__ == "__main__":
    main()
