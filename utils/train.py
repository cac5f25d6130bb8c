"""Training: one loop (`fit`) for every model of the course, one `History` it fills, checkpoints to resume.

`fit` runs the standard supervised step unless it is handed another: a function of one batch that updates the
model and returns its metrics (the GAN's two players, truncated backpropagation through time). After each epoch
it hands the history to `report` (a line of text by default; `utils.LivePlot()` redraws the curves instead).
"""
import math
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import torch
from torch import nn
from tqdm.auto import tqdm

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
StepFn = Callable[[Sequence[torch.Tensor]], dict[str, torch.Tensor | float]]


class History:
    """A table of training records, a row per epoch (or per step), that any loop appends to and plot_history draws.

    Read a column as from a dict: history["val_acc"][-1]. A column missing from a row holds NaN.
    """

    def __init__(self, columns: dict[str, list[float]] | None = None):
        self.columns: dict[str, list[float]] = {key: list(values) for key, values in (columns or {}).items()}
        self.steps: History | None = None  # per-step records, when the loop keeps them

    def append(self, **values: float) -> None:
        """Add one row, e.g. history.append(epoch=3, train_loss=0.41)."""
        rows = len(self)
        for key in values:
            self.columns.setdefault(key, [math.nan] * rows)
        for key, column in self.columns.items():
            value = values.get(key, math.nan)
            column.append(value.item() if isinstance(value, torch.Tensor) else float(value))

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def __getitem__(self, key: str) -> list[float]:
        return self.columns[key]

    def __contains__(self, key: object) -> bool:
        return key in self.columns

    def get(self, key: str, default: list[float] | None = None) -> list[float] | None:
        """The column named key, or default."""
        return self.columns.get(key, default)

    def keys(self) -> list[str]:
        """The column names, in the order they first appeared."""
        return list(self.columns)

    def state_dict(self) -> dict:
        """Plain lists (what a checkpoint stores, loadable with weights_only=True)."""
        return {"columns": self.columns, "steps": self.steps.state_dict() if self.steps is not None else None}

    @classmethod
    def from_state_dict(cls, state: dict) -> "History":
        """The History that state_dict() described."""
        history = cls(state["columns"])
        history.steps = cls.from_state_dict(state["steps"]) if state.get("steps") else None
        return history

    def __repr__(self) -> str:
        return f"History({len(self)} rows: {', '.join(self.columns)})"


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
    state = {"model": model.state_dict(), "epoch": epoch, "history": history.state_dict(),
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
    return state["epoch"], History.from_state_dict(state["history"])


def print_epoch(history: History, num_epochs: int) -> None:
    """fit's default report: one line per epoch with the last row's values."""
    row = {key: column[-1] for key, column in history.columns.items() if not math.isnan(column[-1])}
    parts = [f"epoch {int(row.pop('epoch'))}/{num_epochs}"]
    seconds = row.pop("seconds", None)
    parts += [f"{key} {value:.2%}" if key.endswith("acc") else f"{key} {value:.4f}" for key, value in row.items()]
    if seconds is not None:
        parts.append(f"{seconds:.1f} s")
    print("  ".join(parts))


def supervised_step(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn: LossFn = nn.functional.cross_entropy,
                    autocast_dtype: torch.dtype | None = None, channels_last: bool = False) -> StepFn:
    """The standard step for fit: forward, loss, backward, optimizer step; returns the batch's loss and accuracy."""
    device = next(model.parameters()).device

    def step(batch: Sequence[torch.Tensor]) -> dict[str, torch.Tensor]:
        X, y = (t.to(device, non_blocking=True) for t in batch)
        if channels_last and X.dim() == 4:
            X = X.contiguous(memory_format=torch.channels_last)
        with torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
            outputs = model(X)
            loss = loss_fn(outputs, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        loss_sum, correct = _sums(outputs, y, loss)
        return {"loss": loss_sum / len(y), "acc": correct / len(y)}

    return step


def _batch_size(batch: Sequence[torch.Tensor] | torch.Tensor) -> int:
    """The number of examples in a batch: the length of its first tensor."""
    first = batch if isinstance(batch, torch.Tensor) else batch[0]
    return len(first)


def fit(model: nn.Module, train_loader: Iterable, optimizer: torch.optim.Optimizer | None, num_epochs: int, *,
        step: StepFn | None = None, loss_fn: LossFn = nn.functional.cross_entropy,
        val_loader: Iterable | None = None, validate: Callable[[nn.Module], dict[str, float]] | None = None,
        before_epoch: Callable[[int], None] | None = None, report: Callable[[History, int], None] | None = print_epoch,
        device: torch.device | str | None = None, scheduler=None, checkpoint_path: str | Path | None = None,
        keep_steps: bool = False, progress: bool = True, log_every: int = 50, schedule_every_step: bool = False,
        autocast_dtype: torch.dtype | None = None, channels_last: bool = False) -> History:
    """Train for num_epochs; return the History: epoch, train_<metric> (batch-size weighted means), val_<metric>, seconds.

    step(batch) updates the model and returns its metrics (default: supervised_step's loss and acc). Validation
    is validate(model) when given, else evaluate(model, val_loader, loss_fn). before_epoch(epoch) runs first in
    each epoch (for example to reset a recurrent state), report(history, num_epochs) after it. With keep_steps,
    history.steps holds every step's metrics. The scheduler steps after each epoch, or after each batch with
    schedule_every_step (a one-cycle schedule). With checkpoint_path, training resumes from the checkpoint if it
    exists and saves one after each epoch. Metrics stay on the device during an epoch (no sync per step; the
    progress bar reads the loss every log_every steps). Speed options, off until bench/ has measured them on
    your device: autocast_dtype (e.g. torch.bfloat16) and channels_last (NHWC memory layout for convnets).
    """
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.to(device, memory_format=torch.channels_last) if channels_last else model.to(device)
    step = step or supervised_step(model, optimizer, loss_fn, autocast_dtype, channels_last)
    history, start_epoch = History(), 0
    if checkpoint_path is not None and Path(checkpoint_path).exists():
        start_epoch, history = load_checkpoint(checkpoint_path, model, optimizer)
        print(f"Resumed from {checkpoint_path} after epoch {start_epoch}.")
    if keep_steps and history.steps is None:
        history.steps = History()
    epochs = tqdm(range(start_epoch, num_epochs), desc="epochs", disable=not progress or num_epochs - start_epoch < 2)
    for epoch in epochs:
        model.train()
        if before_epoch is not None:
            before_epoch(epoch + 1)
        started = time.perf_counter()
        names, totals, count, per_step = None, None, 0, []
        batches = tqdm(train_loader, desc=f"epoch {epoch + 1}", leave=False, disable=not progress)
        for index, batch in enumerate(batches):
            metrics = step(batch)
            if scheduler is not None and schedule_every_step:
                scheduler.step()
            values = torch.stack([torch.as_tensor(v, device=device, dtype=torch.float32).detach()
                                  for v in metrics.values()])
            n = _batch_size(batch)
            names = names or list(metrics)
            totals = values * n if totals is None else totals + values * n
            count += n
            if keep_steps:
                per_step.append(values)
            if progress and index % log_every == 0:
                batches.set_postfix({names[0]: f"{totals[0].item() / count:.4f}"})
        if scheduler is not None and not schedule_every_step:
            scheduler.step()
        row = {"epoch": epoch + 1}
        if names:
            row.update({f"train_{name}": value / count for name, value in zip(names, totals.tolist())})
        if keep_steps and per_step:
            first = len(history.steps) + 1
            for offset, values in enumerate(torch.stack(per_step).tolist()):
                history.steps.append(step=first + offset, **dict(zip(names, values)))
        val_metrics = validate(model) if validate is not None else (
            evaluate(model, val_loader, loss_fn, device) if val_loader is not None else {})
        row.update({f"val_{'acc' if name == 'accuracy' else name}": value for name, value in val_metrics.items()})
        row["seconds"] = time.perf_counter() - started
        history.append(**row)
        if checkpoint_path is not None:
            save_checkpoint(checkpoint_path, model, optimizer, epoch + 1, history)
        if report is not None:
            report(history, num_epochs)
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
