"""Benchmark 2: device-resident batching (utils.TensorLoader) against torch.utils.data.DataLoader.

Both give shuffled mini-batches of the same MNIST tensors; the DataLoader as students usually write it
(TensorDataset, shuffle=True, default workers), with pinned memory when the device is a GPU.
Prints the speed-up per epoch, for batching alone and for a training epoch of the slides' net
(utils.mnist_convnet, lecture 03's network).

    python -m bench.batching [--tiny] [--device cuda]
"""
from functools import partial

import torch
from torch.utils.data import DataLoader, TensorDataset

import utils
from bench.common import header, median, parse_args, pick_device, timed
from bench.train_loop_overhead import hand_written_epoch


def iterate(loader, device) -> None:
    """Touch every batch on the device, as a training loop would."""
    for X, y in loader:
        X.to(device, non_blocking=True)
        y.to(device, non_blocking=True)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    device = pick_device(args.device)
    header("TensorLoader vs DataLoader over the same MNIST tensors, batch 100", device)
    X, y = utils.load_mnist("train", limit=2_000 if args.tiny else 60_000)
    tensor_loader = utils.TensorLoader(X, y, batch_size=100, device=device)
    data_loader = DataLoader(TensorDataset(X, y), batch_size=100, shuffle=True, pin_memory=device.type == "cuda")
    model = utils.mnist_convnet().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    tasks = {"batching only": lambda loader: iterate(loader, device),
             "training epoch": lambda loader: hand_written_epoch(model, _on(loader, device), optimizer)}
    loaders = {"TensorLoader": tensor_loader, "DataLoader": data_loader}
    results = {task: compare(run, loaders, args.repeats, device) for task, run in tasks.items()}
    print(f"examples per epoch: {len(X):,}; repeats: {args.repeats} (median, alternating)")
    for task, times in results.items():
        print(f"{task:>15}: TensorLoader {times['TensorLoader']:.3f} s, DataLoader {times['DataLoader']:.3f} s, "
              f"speed-up x{times['DataLoader'] / times['TensorLoader']:.2f}")


def compare(run, loaders: dict, repeats: int, device) -> dict[str, float]:
    """Median seconds of run(loader) for each named loader, after one warm-up, the loaders alternating."""
    run(loaders["TensorLoader"])  # warm-up
    times = {name: [] for name in loaders}
    for _ in range(repeats):
        for name, loader in loaders.items():
            times[name].append(timed(partial(run, loader), device))
    return {name: median(values) for name, values in times.items()}


def _on(loader, device):
    """Batches moved to the device (a no-op for TensorLoader's, which are already there)."""
    for X, y in loader:
        yield X.to(device, non_blocking=True), y.to(device, non_blocking=True)


if __name__ == "__main__":
    main()
