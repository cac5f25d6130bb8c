"""The course's small networks, as the lectures build them: the slides' MNIST convnet (lecture 03).

Saved from lectures/03_convnets.ipynb: edit both copies together (tests/test_saved_code.py).
Benchmarks (bench/) and later notebooks use them as utils.<name>, so they measure and reuse the lectures' code.
"""
import torch
from torch import nn


def mnist_convnet() -> nn.Sequential:
    """The slides' MNIST convnet (Fleuret 2018): conv 1->32 5x5, pool 3, conv 32->64 5x5, pool 2, fc 256->200->10."""
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=5), nn.MaxPool2d(3), nn.ReLU(),
        nn.Conv2d(32, 64, kernel_size=5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(256, 200), nn.ReLU(),
        nn.Linear(200, 10),
    )


def one_cycle_adamw(model: nn.Module, total_steps: int,
                    max_lr: float = 6e-3) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """AdamW (weight decay 0.01) whose learning rate rises to max_lr over the first quarter of total_steps, then falls."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=max_lr, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=total_steps, pct_start=0.25)
    return optimizer, scheduler
