"""Training: fit and evaluate a model with progress bars, a per-epoch history and checkpoints."""
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from torch import nn
from tqdm.auto import tqdm

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
History = dict[str, list[float]]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, nbval, nbgrader), False in a terminal or a script."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config


def _sums(outputs: torch.Tensor, y: torch.Tensor, loss: torch.Tensor) -> torch.Tensor:
    """[summed loss, number correct (NaN unless classifying)] of one batch, left on the device (no sync)."""
    n = y.shape[0]
    is_classification = outputs.dim() == 2 and outputs.shape[0] == n and y.dim() == 1
    correct = (outputs.argmax(dim=1) == y).sum().float() if is_classification else loss.new_tensor(float("nan"))
    return torch.stack([loss.detach().float() * n, correct])


def evaluate(model: nn.Module, loader: Iterable, loss_fn: LossFn = nn.functional.cross_entropy,
             device: torch.device | str | None = None) -> dict[str, float]:
    """Mean loss and accuracy of a model over a loader of (X, y) batches, without gradients."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    totals, count = torch.zeros(2, device=device), 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
            outputs = model(X)
            totals += _sums(outputs, y, loss_fn(outputs, y))
            count += y.shape[0]
    model.train(was_training)
    loss_sum, correct = totals.tolist()
    return {"loss": loss_sum / max(count, 1), "accuracy": correct / max(count, 1)}


def save_checkpoint(path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer | None,
                    epoch: int, history: History) -> None:
    """Save model, optimizer, epoch count and history to one file (written atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"model": model.state_dict(), "epoch": epoch, "history": history,
             "optimizer": optimizer.state_dict() if optimizer is not None else None}
    temporary = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, temporary)
    temporary.replace(path)


def load_checkpoint(path: str | Path, model: nn.Module,
                    optimizer: torch.optim.Optimizer | None = None) -> tuple[int, History]:
    """Load a checkpoint saved by save_checkpoint into model (and optimizer); return (epoch, history)."""
    state = torch.load(path, map_location=next(model.parameters()).device, weights_only=True)
    model.load_state_dict(state["model"])
    if optimizer is not None and state["optimizer"] is not None:
        optimizer.load_state_dict(state["optimizer"])
    return state["epoch"], state["history"]


def _report(history: History, num_epochs: int, live_plot: bool, display_handle) -> object:
    """Show the finished epoch: redraw the curves in a notebook, or print one line of text."""
    if live_plot and in_notebook():
        import matplotlib.pyplot as plt
        from IPython.display import display

        from .plot import plot_history

        figure = plot_history(history)
        if display_handle is None:
            display_handle = display(figure, display_id=True)
        else:
            display_handle.update(figure)
        plt.close(figure)
        return display_handle
    parts = [f"epoch {history['epoch'][-1]}/{num_epochs}"]
    for key in ("train_loss", "train_acc", "val_loss", "val_acc"):
        if history.get(key):
            value = history[key][-1]
            parts.append(f"{key} {value:.2%}" if key.endswith("acc") else f"{key} {value:.4f}")
    parts.append(f"{history['seconds'][-1]:.1f} s")
    print("  ".join(parts))
    return display_handle


def fit(model: nn.Module, train_loader: Iterable, optimizer: torch.optim.Optimizer, num_epochs: int, *,
        loss_fn: LossFn = nn.functional.cross_entropy, val_loader: Iterable | None = None,
        device: torch.device | str | None = None, scheduler=None, checkpoint_path: str | Path | None = None,
        live_plot: bool = False, progress: bool = True, log_every: int = 50,
        autocast_dtype: torch.dtype | None = None, channels_last: bool = False) -> History:
    """Train for num_epochs and return the history: per-epoch train/val loss and accuracy, seconds.

    With checkpoint_path, training resumes from the checkpoint if it exists and saves one after each
    epoch. With live_plot, a notebook shows the curves as they grow; elsewhere one line per epoch.
    The loss is read from the device only every log_every steps, so the loop does not stall on it.
    Speed options, off by default until bench/ has measured them on your device: autocast_dtype
    (e.g. torch.bfloat16: mixed precision) and channels_last (NHWC memory layout for convnets).
    """
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.to(device, memory_format=torch.channels_last) if channels_last else model.to(device)
    history: History = {"epoch": [], "train_loss": [], "train_acc": [], "val_loss": [], "val_acc": [], "seconds": []}
    start_epoch = 0
    if checkpoint_path is not None and Path(checkpoint_path).exists():
        start_epoch, history = load_checkpoint(checkpoint_path, model, optimizer)
        print(f"Resumed from {checkpoint_path} after epoch {start_epoch}.")
    display_handle = None
    epochs = tqdm(range(start_epoch, num_epochs), desc="epochs", disable=not progress or num_epochs - start_epoch < 2)
    for epoch in epochs:
        model.train()
        started = time.perf_counter()
        totals, count = torch.zeros(2, device=device), 0
        batches = tqdm(train_loader, desc=f"epoch {epoch + 1}", leave=False, disable=not progress)
        for step, (X, y) in enumerate(batches):
            X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
            if channels_last and X.dim() == 4:
                X = X.contiguous(memory_format=torch.channels_last)
            with torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
                outputs = model(X)
                loss = loss_fn(outputs, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            totals += _sums(outputs, y, loss)
            count += y.shape[0]
            if progress and step % log_every == 0:
                batches.set_postfix(loss=f"{totals[0].item() / count:.4f}")
        if scheduler is not None:
            scheduler.step()
        loss_sum, correct = totals.tolist()
        history["epoch"].append(epoch + 1)
        history["train_loss"].append(loss_sum / count)
        history["train_acc"].append(correct / count)
        if val_loader is not None:
            metrics = evaluate(model, val_loader, loss_fn, device)
            history["val_loss"].append(metrics["loss"])
            history["val_acc"].append(metrics["accuracy"])
        history["seconds"].append(time.perf_counter() - started)
        if checkpoint_path is not None:
            save_checkpoint(checkpoint_path, model, optimizer, epoch + 1, history)
        display_handle = _report(history, num_epochs, live_plot, display_handle)
    return history


def predict(model: nn.Module, X: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The model's outputs for all of X, computed in batches without gradients, on X's device."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    with torch.no_grad():
        outputs = [model(batch.to(device)).to(X.device) for batch in X.split(batch_size)]
    model.train(was_training)
    return torch.cat(outputs)
