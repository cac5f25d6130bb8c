# expect: total=0
# about: a blank hand-in that walks the file system for any instructor notebook (solutions of this or another checkout) and runs its solution cells; the sandbox shows none
# %% insert-before: threshold_units
import json
import os

_skip = {"/proc", "/sys", "/dev", "/usr", os.getcwd()}  # not its own folder: this notebook quotes the marker
_found = []
for _top, _dirs, _files in os.walk("/"):
    _dirs[:] = [d for d in _dirs if os.path.join(_top, d) not in _skip and "site-packages" not in d and d != ".pyenv"]
    for _name in _files:
        if _name == "perceptron.ipynb":
            _path = os.path.join(_top, _name)
            try:
                with open(_path, encoding="utf-8") as _file:
                    _text = _file.read()
            except OSError:
                continue
            if "BEGIN SOLUTION" in _text:
                _found.append(_path)
print("instructor notebooks found:", _found)
for _path in _found[:1]:
    for _cell in json.load(open(_path, encoding="utf-8"))["cells"]:
        _code = "".join(_cell["source"])
        if _cell["cell_type"] == "code" and "BEGIN SOLUTION" in _code:
            exec(_code)
