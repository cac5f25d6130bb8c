"""utils.integrity: every route of replacing a function hidden tests rely on is caught; an untouched process passes fast."""
import builtins
import contextlib
import functools
import sys
import time
import types

import pytest
import torch
import torch.nn.functional

import utils
import utils.checks
from utils.integrity import TamperingError, assert_untampered, cpu_seconds, pin_threads, private_module

_MISSING = object()


@contextlib.contextmanager
def replaced(namespace: dict, key: str, value: object):
    """Put `value` at namespace[key] for the block, then put back what was there."""
    old = namespace.get(key, _MISSING)
    namespace[key] = value
    try:
        yield
    finally:
        if old is _MISSING:
            del namespace[key]
        else:
            namespace[key] = old


def caught(match: str) -> None:
    """assert_untampered raises a TamperingError whose message contains `match`."""
    with pytest.raises(TamperingError, match=match):
        assert_untampered()


def test_untouched_process_passes_quickly():
    assert_untampered()
    start = time.perf_counter()
    for _ in range(5):
        assert_untampered()
    per_call = (time.perf_counter() - start) / 5
    assert per_call < 0.25, f"assert_untampered took {per_call:.3f} s a call"


def test_attribute_assignment_through_an_alias():
    import torch as T
    original = T.allclose
    T.allclose = lambda *args, **kwargs: True
    try:
        caught("torch.allclose")
    finally:
        T.allclose = original
    assert_untampered()


def test_module_dict_route():
    with replaced(__import__("torch").__dict__, "equal", lambda a, b: True):
        caught("torch.equal")


def test_vars_of_utils():
    with replaced(vars(utils), "check_close", lambda *args, **kwargs: None):
        caught("utils.check_close")


def test_utils_submodule():
    with replaced(vars(utils.checks), "check_shape", lambda *args, **kwargs: None):
        caught("utils.checks.check_shape")


def test_setattr():
    original = torch.nn.functional.mse_loss
    setattr(torch.nn.functional, "mse_loss", lambda a, b, **kwargs: torch.zeros(()))  # noqa: B010 (the hostile hand-in this test imitates writes it so)
    try:
        caught("torch.nn.functional.mse_loss")
    finally:
        setattr(torch.nn.functional, "mse_loss", original)  # noqa: B010


def test_sys_modules_swap_with_a_fake_module():
    fake = types.ModuleType("torch.testing")
    fake.assert_close = lambda *args, **kwargs: None
    with replaced(sys.modules, "torch.testing", fake):
        caught("torch.testing")


def test_sys_modules_swap_with_a_copy_holding_genuine_functions():
    copy = types.ModuleType("torch.nn.functional")
    copy.__file__ = torch.nn.functional.__file__
    vars(copy).update({k: v for k, v in vars(torch.nn.functional).items() if not k.startswith("__")})
    with replaced(sys.modules, "torch.nn.functional", copy):
        caught("stand-in module")


def test_sys_modules_swap_with_an_object():
    with replaced(sys.modules, "time", types.SimpleNamespace(process_time=lambda: 0.0)):
        caught("sys.modules\\['time'\\]")


def test_builtin_replaced_through_builtins():
    with replaced(vars(builtins), "abs", lambda x: 0):
        caught("builtins.abs")
    with replaced(vars(builtins), "divmod", builtins.pow):
        caught("builtins.divmod")


def test_process_time_shrunk_through_an_alias():
    import time as clock
    original = clock.process_time
    clock.process_time = lambda: original() / 10
    try:
        caught("time.process_time")
        with pytest.raises(TamperingError, match="process_time"):
            cpu_seconds()
    finally:
        clock.process_time = original
    with replaced(vars(time), "process_time", time.thread_time):
        caught("time.process_time")
        with pytest.raises(TamperingError):
            cpu_seconds()


def test_tensor_method_replaced():
    with replaced_attr(torch.Tensor, "allclose", lambda self, other, **kwargs: True):
        caught("torch.Tensor")
    with replaced_attr(torch.Tensor, "__eq__", lambda self, other: torch.ones_like(self, dtype=torch.bool)):
        caught("__eq__")


def test_module_method_replaced():
    with replaced_attr(torch.nn.Module, "parameters", lambda self, recurse=True: iter(())):
        caught("torch.nn.Module.parameters")


def test_swapping_two_genuine_functions():
    with replaced(vars(torch), "allclose", torch.equal):
        caught("torch.allclose")


def test_partial_and_callable_object_stand_in():
    with replaced(vars(torch), "allclose", functools.partial(torch.isclose, rtol=1.0)):
        caught("partial")

    class Always:
        def __call__(self, *args, **kwargs):
            return True

    with replaced(vars(torch), "equal", Always()):
        caught("torch.equal")
    with replaced(vars(torch), "equal", {}.get):
        caught("torch.equal")


def test_objects_passed_are_checked():
    assert_untampered(torch.allclose, utils.check_close, torch.nn.Linear, torch.nn.functional)
    with pytest.raises(TamperingError, match="argument|lambda"):
        assert_untampered(lambda: None)


def test_private_module_is_a_fresh_copy():
    fresh = private_module("checks")
    assert fresh is not utils.checks and fresh.check_shape is not utils.checks.check_shape
    with replaced(vars(utils.checks), "check_shape", lambda *args, **kwargs: None):
        with pytest.raises(TamperingError):
            private_module("checks")
    with pytest.raises(ValueError, match="utils/"):
        private_module("no_such_module")


def test_cpu_seconds_and_pin_threads():
    before = cpu_seconds()
    total = sum(i * i for i in range(300_000))
    assert total > 0 and cpu_seconds() > before
    threads = torch.get_num_threads()
    try:
        pin_threads(1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)


@contextlib.contextmanager
def replaced_attr(cls: type, name: str, value: object):
    """Set a class attribute for the block, then restore (or delete) it."""
    old = cls.__dict__.get(name, _MISSING)
    setattr(cls, name, value)
    try:
        yield
    finally:
        if old is _MISSING:
            delattr(cls, name)
        else:
            setattr(cls, name, old)
