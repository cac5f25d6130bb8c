"""The course's small networks, as the lectures build them: the slides' MNIST convnet (lecture 03).

Saved from lectures/03_convnets.ipynb: edit both copies together (tests/test_saved_code.py).
Benchmarks (bench/) and later notebooks use them as utils.<name>, so they measure and reuse the lectures' code.
"""
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
