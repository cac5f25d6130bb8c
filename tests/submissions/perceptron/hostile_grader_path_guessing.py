# expect: total=0
# about: a blank hand-in that guesses where the instructor's course lies (paths in the environment, sys.path, the mount table, parent folders, /proc/1/root) and runs any solution cells it finds; the sandbox shows none
# %% insert-before: threshold_units
import glob
import json
import os
import sys

_guesses = set()
for _value in list(os.environ.values()) + list(sys.path):
    for _part in _value.split(os.pathsep):
        if _part.startswith("/"):
            _guesses.update(str(p) for p in __import__("pathlib").Path(_part).parents)
try:
    for _line in open("/proc/self/mountinfo", encoding="utf-8"):
        _guesses.update(_line.split()[3:5])
except OSError:
    pass
_init_root = os.path.join("/proc/1", "ro" + "ot")  # spelled in pieces: feedback must not quote instructor-like paths
_guesses.update([_init_root, os.path.expanduser("~"), os.path.dirname(os.path.expanduser("~")), os.path.abspath("../../..")])
_found = []
for _root in sorted(_guesses):
    for _path in glob.glob(os.path.join(_root, "**", "solutions", "perceptron", "perceptron.ipynb"), recursive=False) + \
            glob.glob(os.path.join(_root, "*", "solutions", "perceptron", "perceptron.ipynb")) + \
            glob.glob(os.path.join(_root, "solutions", "perceptron", "perceptron.ipynb")):
        try:
            _found.append((_path, json.load(open(_path, encoding="utf-8"))))
        except (OSError, ValueError):
            pass
print("instructor notebooks found:", [p for p, _ in _found])
for _path, _notebook in _found[:1]:
    for _cell in _notebook["cells"]:
        _code = "".join(_cell["source"])
        if _cell["cell_type"] == "code" and "BEGIN SOLUTION" in _code:
            exec(_code)
