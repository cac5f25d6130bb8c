import random

import numpy as np
import torch

import utils


def test_get_device_prefers_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert utils.get_device().type == "cuda"


def test_get_device_falls_back_to_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert utils.get_device().type == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert utils.get_device().type == "cpu"


def test_set_seed_makes_all_three_generators_repeat():
    def draw():
        return random.random(), float(np.random.rand()), torch.rand(3).tolist()

    utils.set_seed(123)
    first = draw()
    utils.set_seed(123)
    assert draw() == first
    utils.set_seed(124)
    assert draw() != first


def test_describe_device_names_the_cpu_threads():
    assert utils.describe_device(torch.device("cpu")) == f"cpu ({torch.get_num_threads()} threads)"
    assert utils.describe_device(torch.device("mps")) == "mps"
