"""Plots of two-dimensional classification problems: points coloured by label over a classifier's regions."""
from collections.abc import Callable

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes

MARKERS = ("o", "s", "^", "D", "v", "P")
COLORS = ("tab:blue", "tab:red", "tab:green", "tab:orange", "tab:purple", "tab:brown")


def grid_2d(X: torch.Tensor, resolution: int = 200, margin: float = 0.5) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A (resolution**2, 2) grid of points covering X's range plus a margin, and its two mesh coordinates."""
    low, high = X.min(dim=0).values - margin, X.max(dim=0).values + margin
    xs = torch.linspace(low[0].item(), high[0].item(), resolution)
    ys = torch.linspace(low[1].item(), high[1].item(), resolution)
    xx, yy = torch.meshgrid(xs, ys, indexing="xy")
    return torch.stack([xx.flatten(), yy.flatten()], dim=1), xx, yy


def plot_decision_boundary(predict: Callable[[torch.Tensor], torch.Tensor], X: torch.Tensor, y: torch.Tensor,
                           ax: Axes | None = None, title: str | None = None, resolution: int = 200) -> Axes:
    """Shade the regions predict(points) assigns to each class, draw the boundary, scatter (X, y) by label."""
    ax = ax if ax is not None else plt.subplots(figsize=(4.5, 4))[1]
    X, y = X.detach().float().cpu(), y.detach().cpu()
    points, xx, yy = grid_2d(X, resolution)
    with torch.no_grad():
        Z = predict(points).detach().float().cpu().reshape(xx.shape)
    classes = sorted(set(y.tolist()))
    values = Z.unique()
    if len(values) > 1:  # two regions or more: shade them and draw the lines between them
        between = ((values[:-1] + values[1:]) / 2).tolist()
        levels = [values[0].item() - 1, *between, values[-1].item() + 1]
        ax.contourf(xx.numpy(), yy.numpy(), Z.numpy(), levels=levels, cmap="coolwarm", alpha=0.25)
        ax.contour(xx.numpy(), yy.numpy(), Z.numpy(), levels=between, colors="k", linewidths=1)
    for index, label in enumerate(classes):
        chosen = y == label
        ax.scatter(X[chosen, 0], X[chosen, 1], s=18, marker=MARKERS[index % len(MARKERS)],
                   color=COLORS[index % len(COLORS)], edgecolors="k", linewidths=0.3, label=f"y = {label:g}")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", xlim=(xx.min().item(), xx.max().item()), ylim=(yy.min().item(), yy.max().item()))
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    return ax
