"""Hosted notebooks (Colab, Kaggle, a JupyterHub): the first code cell of every notebook, written here once.

scripts/sync_setup_cells.py writes SETUP_CELL into lectures/ and solutions/ (nbgrader copies it into assignments/);
tests/test_notebooks.py fails when a notebook's first code cell differs. The cell runs before `utils` can be
imported, so it uses the standard library only. This module imports nothing (the basics floor).
"""

# A placeholder until the course has its public repository; pyproject.toml's [project.urls] says the same.
REPOSITORY_URL = "https://github.com/dl-course/dl-course"
PIP_SOURCE_ENV = "COURSE_PIP_SOURCE"  # where the cell installs the course from (the tests point it at a checkout)
MARKER = "# Course set-up for hosted notebooks"

SETUP_CELL = f'''{MARKER} (Colab, Kaggle, a JupyterHub): installs the course package where it is missing,
# keeping this machine's torch and torchvision; does nothing where the course is installed. Written by
# scripts/sync_setup_cells.py: leave this cell as it is.
import importlib.metadata, importlib.util, os, pathlib, site, subprocess, sys, tempfile  # noqa: E401 (standard library only)

if importlib.util.find_spec("utils") is None:
    _source = os.environ.get("{PIP_SOURCE_ENV}", "git+{REPOSITORY_URL}")
    _keep = [f"{{name}}=={{importlib.metadata.version(name)}}" for name in ("torch", "torchvision")
             if importlib.util.find_spec(name) is not None]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as _constraints:
        _constraints.write("\\n".join(_keep) + "\\n")
    print(f"Installing the course from {{_source}}, keeping {{', '.join(_keep) or 'no torch yet'}} (a minute or two) ...")
    if subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-c", _constraints.name, _source]).returncode:
        raise RuntimeError(f"pip could not install the course from {{_source}} beside {{', '.join(_keep) or 'this Python'}} "
                           "(its message is above): check the network, or install torch and torchvision as a pair the "
                           "course supports (see its pyproject.toml), then run this cell again.")
    importlib.invalidate_caches()
    site.addsitedir(site.getusersitepackages())   # where pip put it when site-packages is read-only
_spec = importlib.util.find_spec("utils")
if _spec is None or not any(pathlib.Path(folder, "mode.py").is_file() for folder in _spec.submodule_search_locations or []):
    raise ImportError(f"`import utils` would load {{(_spec.origin or _spec.submodule_search_locations) if _spec else 'nothing'}}, not the course's package: "
                      "rename your own utils.py or utils/ folder beside this notebook, then restart the kernel.")'''
