"""environment.yml (conda) and pyproject.toml (pip) must describe the same environment."""
import re
import tomllib

import yaml

from conftest import REPO


def requirement_key(requirement: str) -> tuple[str, str]:
    """('torch', '==2.15.0') from 'torch==2.15.0': the name normalized, the specifier without spaces."""
    name, specifier = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), specifier.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip_requirements = set(map(requirement_key, project["dependencies"] + project["optional-dependencies"]["dev"]))
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    conda_requirements = {requirement_key(line) for line in pip_section if not line.startswith("-e")}
    assert conda_requirements == pip_requirements, (
        f"only in environment.yml: {sorted(conda_requirements - pip_requirements)}; "
        f"only in pyproject.toml: {sorted(pip_requirements - conda_requirements)}"
    )
    assert "-e ." in pip_section, "environment.yml should install the course package itself"


def test_torch_and_torchvision_are_pinned_as_a_pair():
    dependencies = dict(map(requirement_key, tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]))
    assert dependencies["torch"].startswith("==") and dependencies["torchvision"].startswith("=="), \
        "pin torch and torchvision together: mismatched builds fail with 'operator torchvision::nms does not exist'"
