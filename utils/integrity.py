"""Checks that hidden tests run first: the functions they rely on are the installed libraries' own, not a notebook's.

Hidden tests call these from inside a function, so nothing is bound in the student's namespace:

    def _test():
        from utils.integrity import assert_untampered, private_module
        assert_untampered()
        _data = private_module("data")   # a fresh copy of utils/data.py, loaded from its file

Every check looks at where a callable was defined (its code file, its C module, its class), never at a
snapshot taken earlier, so it holds whichever cell of the notebook ran first. Not exported from `utils`.
"""
import functools
import importlib.util
import os
import site
import sys
import sysconfig
import types

__all__ = ["TamperingError", "assert_own_code", "assert_untampered", "cpu_seconds", "pin_threads", "private_module"]

# Modules whose callables hidden tests rely on; utils' submodules are added at check time.
CHECKED_MODULES = ("builtins", "time", "math", "random", "numpy", "torch", "torch.nn", "torch.nn.functional",
                   "torch.testing", "utils")
# Names whose function must carry that very name (swapping one genuine C function for another is caught here).
NAMED = {
    "time": ("process_time", "perf_counter", "time", "monotonic", "thread_time", "process_time_ns"),
    "torch": ("allclose", "equal", "isclose", "all", "any", "eq", "abs", "max", "min", "sum", "mean", "argmax",
              "isfinite", "is_grad_enabled", "set_num_threads", "get_num_threads", "manual_seed", "zeros", "ones",
              "tensor", "randn", "rand", "randint"),
    "numpy": ("allclose", "isclose", "array_equal", "all", "any", "max", "min", "sum", "mean", "argmax"),
    "torch.testing": ("assert_close",),
}
_C_FUNCTION = (types.BuiltinFunctionType, types.MethodDescriptorType, types.WrapperDescriptorType,
               types.ClassMethodDescriptorType, types.GetSetDescriptorType, types.MemberDescriptorType)
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: classes made at run time (Python classes and some extension types)


class TamperingError(AssertionError):
    """A function or module that a hidden test relies on was replaced by the notebook's code."""


def _library_roots() -> tuple:
    """Folders where genuine code may live: the standard library, the site-packages folders, the course's utils/."""
    paths = sysconfig.get_paths()
    roots = {paths["stdlib"], paths["platstdlib"], paths["purelib"], paths["platlib"]}
    roots.update(site.getsitepackages() if hasattr(site, "getsitepackages") else [])
    roots.add(site.getusersitepackages())
    roots.add(_utils_dir())
    roots = {r for r in roots if r}
    return tuple(sorted({os.path.join(form, "") for r in roots for form in (r, os.path.realpath(r))}))


def _utils_dir() -> str:
    """The folder of the course's utils package, taken from the code that is running (not from sys.modules)."""
    return os.path.dirname(sys._getframe(0).f_code.co_filename)


def _in_roots(filename: str, roots: tuple) -> bool:
    """True when a code file lies in one of the library folders (a notebook cell's file never does)."""
    if not filename or filename.startswith("<") or "/../" in filename or "/./" in filename:
        return False
    return filename.startswith(roots)


def _generated_in_library(function: types.FunctionType, roots: tuple) -> bool:
    """True for a function a library made at run time (dataclasses, frozen importlib): its globals are a library module's."""
    if not function.__code__.co_filename.startswith(("<string>", "<frozen ")):
        return False
    filename = function.__code__.co_filename
    name = filename[len("<frozen "):-1] if filename.startswith("<frozen ") else function.__globals__.get("__name__", "")
    module = sys.modules.get(name)
    if module is None or vars(module) is not function.__globals__:
        return False
    file = getattr(module, "__file__", None)
    origin = getattr(getattr(module, "__spec__", None), "origin", None)
    return (file is not None and _in_roots(file, roots)) or origin == "frozen"


def _expected_dir(name: str, roots: tuple) -> tuple:
    """Where module `name` may live: utils/ for the course, else a library folder (with its own package name)."""
    top = name.split(".")[0]
    if top == "utils":
        return (os.path.join(_utils_dir(), ""),)
    return tuple(os.path.join(r, top, "") for r in roots) + roots


class _Checker:
    """One pass of checks; remembers what it has seen so each class and module is looked at once."""

    def __init__(self) -> None:
        self.roots = _library_roots()
        self.seen: set = set()
        self.problems: list = []

    def fail(self, where: str, what: str) -> None:
        """Record one replaced object."""
        self.problems.append(f"{where} ({what})")

    def code_ok(self, code: types.CodeType) -> bool:
        """True when a code object was compiled from a library file."""
        return _in_roots(code.co_filename, self.roots)

    def callable_ok(self, obj: object, where: str, depth: int = 0) -> bool:
        """Check one callable by its origin; record and return False when the notebook made it."""
        if depth > 4:
            return True
        if isinstance(obj, _C_FUNCTION):
            owner = getattr(obj, "__self__", None)
            if owner is None or isinstance(owner, (types.ModuleType, type)):
                return True
            owner_type = type(owner)
            if owner_type.__module__ == "pybind11_builtins" and not any(
                    isinstance(v, types.FunctionType) for v in vars(owner_type).values()):
                return True  # torch's pybind11 functions are bound to a function record
            if not owner_type.__flags__ & _HEAPTYPE and owner_type.__module__ == "builtins":
                self.fail(where, f"a method of a {owner_type.__name__} object stands in")
                return False
            return self.class_ok(owner_type, where, depth + 1)
        if isinstance(obj, types.FunctionType):
            if not self.code_ok(obj.__code__) and not _generated_in_library(obj, self.roots):
                self.fail(where, f"defined in {obj.__code__.co_filename}")
                return False
            return True
        if isinstance(obj, types.MethodType):
            return self.callable_ok(obj.__func__, where, depth + 1) and self.class_ok(type(obj.__self__), where, depth + 1)
        if isinstance(obj, functools.partial):
            self.fail(where, "a functools.partial stands in")
            return False
        if isinstance(obj, (staticmethod, classmethod)):
            return self.callable_ok(obj.__func__, where, depth + 1)
        if isinstance(obj, property):
            return all(self.callable_ok(f, where, depth + 1) for f in (obj.fget, obj.fset, obj.fdel) if f is not None)
        if isinstance(obj, types.ModuleType):
            return True  # modules are checked through sys.modules
        if isinstance(obj, type):
            return self.class_ok(obj, where, depth + 1)
        if callable(obj) or hasattr(obj, "__get__"):
            wrapped = getattr(obj, "__wrapped__", None)
            if isinstance(wrapped, types.FunctionType) and not self.callable_ok(wrapped, where, depth + 1):
                return False
            return self.class_ok(type(obj), where, depth + 1)
        return True

    def class_ok(self, cls: type, where: str, depth: int = 0) -> bool:
        """Check a class: a static C type, or a class whose module is a library and whose own functions are too."""
        if id(cls) in self.seen or not cls.__flags__ & _HEAPTYPE:
            return True
        self.seen.add(id(cls))
        module = sys.modules.get(cls.__module__)
        file = getattr(module, "__file__", None)
        if (file is not None and not _in_roots(file, self.roots)) or cls.__module__ == "__main__":
            self.fail(where, f"class {cls.__qualname__} defined in {cls.__module__}")
            return False
        ok = True
        for key, value in list(vars(cls).items()):
            if isinstance(value, (types.FunctionType, staticmethod, classmethod, property, functools.partial)):
                ok = self.callable_ok(value, f"{where}.{key}", depth) and ok
        return ok

    def namespace(self, owner: object, label: str, named: tuple = ()) -> None:
        """Check every callable in a module's or class's namespace, and that NAMED ones carry their own name."""
        for key, value in list(vars(owner).items()):
            if key.startswith("__") and key.endswith("__") and not callable(value):
                continue
            if callable(value) or isinstance(value, (staticmethod, classmethod, property, functools.partial)):
                self.callable_ok(value, f"{label}.{key}")
            if key in named and getattr(value, "__name__", key) != key:
                self.fail(f"{label}.{key}", f"replaced by {getattr(value, '__name__', '?')}")
        if label == "builtins" or label in ("time", "math"):
            for key, value in list(vars(owner).items()):
                if isinstance(value, types.BuiltinFunctionType) and value.__name__ != key:
                    self.fail(f"{label}.{key}", f"replaced by {value.__name__}")

    def module(self, name: str) -> None:
        """Check that sys.modules holds the genuine module `name`, then check its namespace."""
        module = sys.modules.get(name)
        if module is None:
            return
        if type(module) is not types.ModuleType:
            self.fail(f"sys.modules[{name!r}]", f"a {type(module).__name__}, not a module")
            return
        if name == "builtins":
            if vars(module) is not _interpreter_builtins():
                self.fail("sys.modules['builtins']", "not the interpreter's builtins")
                return
        else:
            file = getattr(module, "__file__", None)
            if file is not None and not _in_roots(file, _expected_dir(name, self.roots)):
                self.fail(f"sys.modules[{name!r}]", f"loaded from {file}")
                return
            if not self.own_functions(module):
                self.fail(f"sys.modules[{name!r}]", "a stand-in module holding another module's functions")
                return
        parent, _, child = name.rpartition(".")
        if parent and parent in sys.modules and getattr(sys.modules[parent], child, module) is not module:
            self.fail(f"{parent}.{child}", "not the module in sys.modules")
        self.namespace(module, name, NAMED.get(name, ()))

    @staticmethod
    def own_functions(module: types.ModuleType) -> bool:
        """True unless the module's functions were made for another module object (a copy posing as the original)."""
        own = vars(module)
        for value in list(own.values()):
            if isinstance(value, types.FunctionType) and value.__globals__.get("__name__") == module.__name__:
                return value.__globals__ is own
            if isinstance(value, types.BuiltinFunctionType) and isinstance(value.__self__, types.ModuleType) \
                    and value.__self__.__name__ == module.__name__:
                return value.__self__ is module
        return True

    def tensor_and_module_classes(self) -> None:
        """Check torch.Tensor and torch.nn.Module: the genuine classes, and every method in them."""
        torch = sys.modules.get("torch")
        if torch is None:
            return
        tensor = getattr(torch, "Tensor", None)
        if type(torch.zeros(1)) is not tensor:
            self.fail("torch.Tensor", "not the class of torch's tensors")
        else:
            for cls in tensor.__mro__[:-1]:
                self.namespace_of_class(cls, f"torch.Tensor({cls.__name__})")
        nn = sys.modules.get("torch.nn")
        module_cls = getattr(nn, "Module", None) if nn is not None else None
        genuine = vars(sys.modules.get("torch.nn.modules.module", types.ModuleType("x"))).get("Module")
        if module_cls is None or module_cls is not genuine:
            self.fail("torch.nn.Module", "not the class defined in torch.nn.modules.module")
        else:
            self.namespace_of_class(module_cls, "torch.nn.Module")

    def namespace_of_class(self, cls: type, label: str) -> None:
        """Check every attribute of a class's own namespace, C descriptors included (by their name)."""
        for key, value in list(vars(cls).items()):
            if callable(value) or isinstance(value, (staticmethod, classmethod, property, functools.partial)):
                self.callable_ok(value, f"{label}.{key}")


def _interpreter_builtins() -> dict:
    """The interpreter's own builtins namespace (set when this module ran, not reachable from sys.modules)."""
    held = _check_builtins
    return held if isinstance(held, dict) else vars(held)


_check_builtins = globals()["__builtins__"]


def assert_untampered(*objects: object) -> None:
    """Raise TamperingError naming what was replaced when a function hidden tests rely on is not the original."""
    checker = _Checker()
    names = list(CHECKED_MODULES) + sorted(n for n in list(sys.modules) if n.startswith("utils."))
    for name in names:
        checker.module(name)
    checker.tensor_and_module_classes()
    for i, obj in enumerate(objects):
        label = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or f"argument {i + 1}"
        if isinstance(obj, types.ModuleType):
            checker.module(obj.__name__) if sys.modules.get(obj.__name__) is obj else checker.namespace(obj, label)
        elif isinstance(obj, type):
            checker.class_ok(obj, label)
            checker.namespace_of_class(obj, label)
        else:
            checker.callable_ok(obj, label)
    if checker.problems:
        shown = "; ".join(checker.problems[:int(os.environ.get("_INTEG_SHOW", 5))]) + (f"; and {len(checker.problems) - 5} more" if len(checker.problems) > 5 else "")
        raise TamperingError(f"Tampering: the notebook replaced what the tests rely on: {shown}. "
                             "Remove the code that assigns to library functions or sys.modules, then run all cells again.")


def private_module(name: str) -> types.ModuleType:
    """A fresh copy of utils/<name>.py loaded from its file (not from sys.modules), for hidden tests' data and answers."""
    path = os.path.join(_utils_dir(), f"{name}.py")
    if not name.isidentifier() or not os.path.isfile(path):
        raise ValueError(f"No module utils/{name}.py: pass the name of a file in utils/, e.g. private_module('data').")
    assert_untampered()
    spec = importlib.util.spec_from_file_location(f"utils._private_{name}", path)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "utils"
    spec.loader.exec_module(module)
    return module


def cpu_seconds() -> float:
    """CPU seconds used by this process so far (all threads), read through a checked time.process_time."""
    import time as _time
    clock = _time.process_time
    if not (type(clock) is types.BuiltinFunctionType and clock.__name__ == "process_time"
            and type(clock.__self__) is types.ModuleType and clock.__self__.__name__ == "time"):
        raise TamperingError("Tampering: time.process_time was replaced. "
                             "Remove the code that assigns to it, then run all cells again.")
    return clock()


def pin_threads(n: int = 1) -> None:
    """Make torch use `n` CPU threads, so CPU-second budgets do not depend on the machine's core count."""
    import torch as _torch
    assert_untampered()
    _torch.set_num_threads(n)


def assert_own_code(function: object, module: str, part: str) -> None:
    """Fail unless `function` is the notebook's own code: no function of utils/<module>.py, under any name or route.

    Follows the function's defaults, closures, nested code and the notebook's helpers it calls; a route to utils
    (the module, an import, a string naming it) that reaches a name of utils/<module>.py fails, as does a decorated
    function or a partial wrapping one.
    """
    import dis
    import types as _types

    lecture_module = private_module(module)
    lecture_file = os.path.realpath(lecture_module.__file__)
    lecture = {name for name, value in vars(lecture_module).items()
               if getattr(value, "__module__", None) == lecture_module.__name__}
    verdict = f"{part} must be your own code, written in this notebook, not the lecture's code from utils ({{}})"

    def lecture_code(value: object) -> bool:
        value = getattr(value, "__wrapped__", getattr(value, "func", value))  # a decorated function, a partial
        code = getattr(value, "__code__", None)
        return isinstance(code, _types.CodeType) and os.path.realpath(code.co_filename) == lecture_file

    def utils_module(value: object) -> bool:
        return isinstance(value, _types.ModuleType) and value.__name__.split(".")[0] == "utils"

    todo, seen = [function], set()
    while todo:
        fn = todo.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        assert isinstance(fn, _types.FunctionType) and not lecture_code(fn), verdict.format("it is not a def of yours")
        held = [*(fn.__defaults__ or ()), *(fn.__kwdefaults__ or {}).values()]
        for cell in fn.__closure__ or ():
            try:
                held.append(cell.cell_contents)
            except ValueError:
                pass
        codes = [fn.__code__]
        for code in codes:
            codes += [const for const in code.co_consts if isinstance(const, _types.CodeType)]
            values = [fn.__globals__[name] for name in code.co_names if name in fn.__globals__]
            strings = {const for const in code.co_consts if isinstance(const, str)}
            names = (set(code.co_names) | strings) & lecture
            reaches_utils = (any(map(utils_module, values + held)) or any(s.split(".")[0] == "utils" for s in strings)
                             or any(i.opname == "IMPORT_NAME" and i.argval.split(".")[0] == "utils"
                                    for i in dis.get_instructions(code)))
            assert not (reaches_utils and names), verdict.format(", ".join(sorted(names)))
            held += values
        assert not any(map(lecture_code, held)), verdict.format("one of its names is bound to it")
        todo += [v for v in held if isinstance(v, _types.FunctionType) and v.__globals__ is fn.__globals__]
