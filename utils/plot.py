"""Plots: image grids, training curves (also live, as fit reports them), filters, feature maps, mistakes.

Every function draws with matplotlib's object interface and returns the Figure, so it works the
same in JupyterLab, in a script (save it with fig.savefig) and under nbval.
"""
import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch import nn

from .config import in_notebook
from .train import History, predict, print_epoch


def _grid(count: int, ncols: int, cell: float = 1.3) -> tuple[Figure, list]:
    """A figure with `count` image axes (extra ones hidden), ncols per row, ticks off."""
    ncols = max(1, min(ncols, count))
    nrows = math.ceil(count / ncols)
    figure, axes = plt.subplots(nrows, ncols, figsize=(cell * ncols, (cell + 0.3) * nrows + 0.5), squeeze=False)
    flat = list(axes.flat)
    for ax in flat:
        ax.axis("off")
    return figure, flat[:count]


def _as_image(image: torch.Tensor) -> np.ndarray:
    """A (C, H, W) or (H, W) tensor as an array imshow takes: (H, W), or (H, W, 3) scaled to [0, 1]."""
    image = image.detach().float().cpu()
    if image.dim() == 3 and image.shape[0] == 1:
        image = image[0]
    elif image.dim() == 3:
        image = image.permute(1, 2, 0)
        image = (image - image.min()) / (image.max() - image.min() + 1e-8)
    return image.numpy()


def show_images(images: torch.Tensor, titles: Sequence[str] | None = None, ncols: int = 8,
                title: str | None = None, cmap: str = "gray") -> Figure:
    """A grid of images (N, C, H, W) or (N, H, W), each with an optional title such as its label."""
    figure, axes = _grid(len(images), ncols)
    for index, ax in enumerate(axes):
        ax.imshow(_as_image(images[index]), cmap=cmap)
        if titles is not None:
            ax.set_title(str(titles[index]), fontsize=9)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def _panel(key: str) -> str:
    """Which panel of plot_history draws a column: 'loss', 'accuracy' or the column's own name."""
    name = key.removeprefix("train_").removeprefix("val_")
    return "loss" if "loss" in name else "accuracy" if name in {"acc", "accuracy"} else name


def plot_history(history: History | dict[str, list[float]], title: str | None = None) -> Figure:
    """The curves of a History (or a dict of columns): losses, accuracies and any other metric, one panel each."""
    columns = history.columns if isinstance(history, History) else history
    x_key = "epoch" if "epoch" in columns else "step"
    keys = [key for key, values in columns.items() if key not in {x_key, "seconds"}
            and values and not all(math.isnan(v) for v in values)]
    panels = list(dict.fromkeys(_panel(key) for key in keys)) or ["loss"]
    figure, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.5), squeeze=False)
    for panel, ax in zip(panels, axes[0]):
        for key in (k for k in keys if _panel(k) == panel):
            plain = key.removeprefix("train_").removeprefix("val_") in {"loss", "acc", "accuracy"}
            label = ("validation" if key.startswith("val_") else "train") if plain else key
            values = columns[key]
            ax.plot(columns[x_key][:len(values)], values, marker="o" if len(values) <= 30 else None,
                    label=label)
        ax.set(xlabel=x_key, ylabel=panel, title=panel.capitalize() if panel in {"loss", "accuracy"} else panel)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


class LivePlot:
    """A report for fit that redraws the curves after each epoch in a notebook (one line of text elsewhere)."""

    def __init__(self, title: str | None = None):
        self.title = title
        self.handle = None

    def __call__(self, history: History, num_epochs: int) -> None:
        if not in_notebook():
            print_epoch(history, num_epochs)
            return
        from IPython.display import display

        figure = plot_history(history, self.title)
        if self.handle is None:
            self.handle = display(figure, display_id=True)
        else:
            self.handle.update(figure)
        plt.close(figure)


def show_filters(weight: torch.Tensor, ncols: int = 8, title: str = "First-layer filters") -> Figure:
    """Convolution filters (out_channels, in_channels, kH, kW): the first input channel, or RGB if 3."""
    weight = weight.detach().cpu()
    images = weight if weight.shape[1] == 3 else weight[:, 0]
    limit = images.abs().max().item()
    figure, axes = _grid(len(images), ncols, cell=1.0)
    for index, ax in enumerate(axes):
        if images.dim() == 4:
            ax.imshow(_as_image(images[index]))
        else:
            ax.imshow(images[index].numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(str(index), fontsize=8)
    figure.suptitle(f"{title} (red positive, blue negative)" if images.dim() == 3 else title)
    figure.tight_layout()
    return figure


def show_feature_maps(maps: torch.Tensor, ncols: int = 8, title: str = "Feature maps") -> Figure:
    """The channels (C, H, W) of one example's activations, each as a small image."""
    maps = maps.detach().cpu()
    figure, axes = _grid(len(maps), ncols, cell=1.1)
    for index, ax in enumerate(axes):
        ax.imshow(maps[index].numpy(), cmap="viridis")
        ax.set_title(str(index), fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def show_misclassified(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
                       class_names: Sequence[str] | None = None, max_images: int = 16,
                       ncols: int = 8) -> Figure:
    """The first misclassified examples of (X, y), each titled 'true -> predicted'."""
    predicted = predict(model, X).argmax(dim=1).cpu()
    wrong = (predicted != y.cpu()).nonzero().flatten()[:max_images]
    name = (lambda k: class_names[k]) if class_names is not None else str
    titles = [f"{name(int(y[i]))} -> {name(int(predicted[i]))}" for i in wrong]
    if len(wrong) == 0:
        figure = plt.figure(figsize=(4, 1))
        figure.text(0.5, 0.5, "no misclassified examples", ha="center")
        return figure
    return show_images(X[wrong], titles, ncols=ncols,
                       title=f"{len(wrong)} of {int((predicted != y.cpu()).sum())} misclassified (true -> predicted)")
