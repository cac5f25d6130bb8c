import random
import re

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


# ---- No float64 on a device: MPS (Apple GPUs) has none, so float64 work moves to the CPU first. ----

class OnDevice(torch.Tensor):
    """Stands in for a tensor on a device without float64 (MPS): .cpu() leaves the device, a float64 result raises."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        with torch._C.DisableTorchFunctionSubclass():
            result = func(*args, **(kwargs or {}))
            if func is torch.Tensor.cpu or (func is torch.Tensor.to and "cpu" in map(str, [*args[1:], *(kwargs or {}).values()])):
                return result.as_subclass(torch.Tensor)   # a plain tensor: on the CPU now
        outputs = result if isinstance(result, (tuple, list)) else [result]
        if any(isinstance(out, torch.Tensor) and out.dtype == torch.float64 for out in outputs):
            raise TypeError(f"{getattr(func, '__name__', func)} made a float64 tensor on the device: MPS has no float64, move it to the CPU first")
        return _rewrap(result, cls)


def _rewrap(result, cls):
    """Tensors in a result (or a tuple of results) back into the stand-in class."""
    if isinstance(result, torch.Tensor):
        return result.as_subclass(cls)
    if isinstance(result, tuple) and hasattr(result, "_fields"):
        return type(result)(*(_rewrap(item, cls) for item in result))
    if isinstance(result, (tuple, list)):
        return type(result)(_rewrap(item, cls) for item in result)
    return result


def on_device(tensor):
    return tensor.as_subclass(OnDevice)


def test_the_stand_in_catches_float64_and_lets_the_cpu_have_it():
    import pytest

    with pytest.raises(TypeError, match="MPS has no float64"):
        on_device(torch.ones(3)).double()
    with pytest.raises(TypeError, match="MPS has no float64"):
        on_device(torch.ones(3)).to(torch.float64)
    assert on_device(torch.ones(3)).cpu().double().dtype == torch.float64
    assert type(on_device(torch.ones(3)) + 1) is OnDevice


def test_utils_float64_work_runs_on_the_cpu():
    logits = torch.randn(20, 10)
    features_a, features_b = torch.randn(50, 4), torch.randn(60, 4) + 1
    assert utils.label_entropy(on_device(logits)) == utils.label_entropy(logits)
    assert utils.frechet_distance(on_device(features_a), on_device(features_b)) == utils.frechet_distance(features_a, features_b)
    mean, cov = torch.zeros(4), torch.eye(4)
    assert utils.gaussian_frechet_distance(*map(on_device, (mean, cov, mean + 1, cov * 2))) > 0
    utils.check_close(on_device(torch.ones(3)), torch.ones(3))
    utils.check_close(torch.ones(3), on_device(torch.ones(3)))


FLOAT64 = re.compile(r"\.double\(\)|\.to\([^)]*(float64|torch\.double)|\.type\([^)]*(float64|Double)|dtype=torch\.(float64|double)\b")
ON_CPU = re.compile(r"\.cpu\(\)\s*\.(double\(\)|to\(|type\()|#.*\bCPU\b")
USES_A_DEVICE = re.compile(r"\.to\(\s*device|device=(?!\s*[\"']cpu)|\.cuda\(|\.to\(\s*DEVICE|\.to\(\s*[\"'](cuda|mps)")


def float64_on_device_lines(source: str) -> list[str]:
    """Lines of code that may make float64 on a device: conversions without .cpu() first, creations with device=."""
    if not USES_A_DEVICE.search(source):
        return []   # code that never moves a tensor to a device keeps all of them on the CPU
    suspects = []
    for line in source.splitlines():
        match = FLOAT64.search(line)
        if match and not ON_CPU.search(line) and (not match.group(0).startswith("dtype=") or "device=" in line):
            suspects.append(line.strip())
    return suspects


def code_of(path):
    import nbformat

    if path.suffix == ".py":
        return path.read_text(encoding="utf-8")
    return "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")


def test_the_scan_flags_float64_on_device_tensors():
    assert float64_on_device_lines("x = x.to(device)\ny = x.double()")
    assert float64_on_device_lines("x = x.to(device)\ny = torch.zeros(3, dtype=torch.float64, device=device)")
    assert float64_on_device_lines("x = x.to(device)\ny = x.to(torch.float64)")
    assert not float64_on_device_lines("x = x.to(device)\ny = x.cpu().double()")
    assert not float64_on_device_lines("x = x.to(device)\ny = torch.zeros(3, dtype=torch.float64)")
    assert not float64_on_device_lines("x = x.to(device)\ny = w.double()   # w lives on the CPU")
    assert not float64_on_device_lines("y = x.double()")


def test_no_float64_on_device_tensors_in_utils_and_notebooks():
    from conftest import REPO

    paths = sorted((REPO / "utils").glob("*.py")) + sorted(REPO.glob("lectures/*.ipynb")) + sorted(REPO.glob("solutions/*/*.ipynb"))
    found = {str(path.relative_to(REPO)): lines for path in paths if (lines := float64_on_device_lines(code_of(path)))}
    assert not found, ("MPS has no float64: call .cpu() before .double() (or say `# ... on the CPU` on the line "
                       f"when the tensor is already there): {found}")


def test_speed_options_only_on_a_cpu_with_bfloat16_units(monkeypatch):
    import utils.device as device_module

    monkeypatch.delenv("COURSE_FAST", raising=False)
    monkeypatch.setattr(device_module, "cpu_has_bf16_units", lambda: True)
    assert utils.speed_options(torch.device("cpu")) == {"autocast_dtype": torch.bfloat16, "channels_last": True}
    for other in ("cuda", "mps"):
        assert utils.speed_options(torch.device(other)) == {"autocast_dtype": None, "channels_last": False}
    monkeypatch.setenv("COURSE_FAST", "0")
    assert utils.speed_options(torch.device("cpu")) == {"autocast_dtype": None, "channels_last": False}
    monkeypatch.delenv("COURSE_FAST")
    monkeypatch.setattr(device_module, "cpu_has_bf16_units", lambda: False)
    assert utils.speed_options(torch.device("cpu"))["autocast_dtype"] is None
