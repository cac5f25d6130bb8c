"""The dependencies: students, instructors and maintainers each install what they need; conda and pip agree."""
import re
import tomllib
from importlib.metadata import version

import yaml

from conftest import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
SELF = re.compile(r"^dl-course\[")


def requirement_key(requirement: str) -> tuple[str, str]:
    """('torch', '<3,>=2.4') from 'torch>=2.4,<3': the name normalized, the specifiers sorted, without spaces."""
    name, specifier = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), ",".join(sorted(specifier.replace(" ", "").split(",")))


def requirements(*extras: str) -> set[tuple[str, str]]:
    """The base requirements plus those of the extras, without the extras' references to the course itself."""
    lines = PROJECT["dependencies"] + [line for extra in extras for line in PROJECT["optional-dependencies"][extra]]
    return {requirement_key(line) for line in lines if not SELF.match(line)}


def test_environment_yml_matches_pyproject():
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    conda_requirements = {requirement_key(line) for line in pip_section if not line.startswith("-e")}
    pip_requirements = requirements("lab", "grading", "dev")
    assert conda_requirements == pip_requirements, (
        f"only in environment.yml: {sorted(conda_requirements - pip_requirements)}; "
        f"only in pyproject.toml: {sorted(pip_requirements - conda_requirements)}"
    )
    assert "-e ." in pip_section, "environment.yml should install the course package itself"


def test_extras_build_on_each_other():
    extras = PROJECT["optional-dependencies"]
    assert "dl-course[lab]" in extras["grading"] and "dl-course[grading]" in extras["dev"], \
        "grading needs JupyterLab (the formgrader), and the tests need grading"


def test_students_and_hosted_notebooks_get_neither_jupyterlab_nor_nbgrader():
    base = {name for name, _ in requirements()}
    assert not base & {"jupyterlab", "notebook", "nbgrader", "pytest", "playwright"}, \
        "a hosted notebook installs the base: keep JupyterLab in .[lab], nbgrader in .[grading], test tools in .[dev]"


def test_torch_and_torchvision_are_a_matched_pair_by_range():
    base = dict(requirements())
    for name in ("torch", "torchvision"):
        bounds = base[name].split(",")
        assert any(b.startswith(">=") for b in bounds) and any(b.startswith("<") for b in bounds) and "==" not in base[name], \
            f"give {name} a range (>=low,<next major), not an exact pin that fights a hosted image's own torch"
    assert base["torch"] == "<3,>=2.4" and base["torchvision"] == "<1,>=0.19", \
        "change the two lower bounds together, to a released pair (torch 2.4 goes with torchvision 0.19)"


def test_the_installed_pair_is_in_range_and_works():
    import torch
    import torchvision

    torch_version = tuple(int(part) for part in version("torch").split("+")[0].split(".")[:2])
    vision_version = tuple(int(part) for part in version("torchvision").split("+")[0].split(".")[:2])
    assert (2, 4) <= torch_version < (3, 0) and (0, 19) <= vision_version < (1, 0)
    boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    assert torchvision.ops.nms(boxes, torch.tensor([1.0, 0.5]), 0.5).tolist() == [0], \
        "torchvision's compiled operators fail: torch and torchvision are not a matched pair"


def test_the_repository_url_has_one_home_in_pyproject():
    from utils import hosted

    assert PROJECT["urls"]["Repository"] == hosted.REPOSITORY_URL
