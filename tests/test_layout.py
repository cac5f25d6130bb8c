"""The README's layout section names every top-level entry of the tree and every module of utils, and only those."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def layout_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Layout\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```\n(.*?)```", section, re.S).group(1).splitlines()


def test_the_layout_names_every_top_level_entry():
    named = {line.split()[0].split("/")[0] for line in layout_block() if line and not line.startswith(" ")}
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    top = {path.split("/")[0] for path in tracked if (ROOT / path).exists()}
    assert named == top, f"README's layout lacks {sorted(top - named)} and names {sorted(named - top)}, which are not in git"


def test_the_layout_names_every_utils_module():
    named = {line.split()[0] for line in layout_block() if line.startswith("  ")}
    modules = {path.name for path in (ROOT / "utils").glob("*.py") if path.name != "__init__.py"}
    assert named == modules, f"README's layout lacks utils/{sorted(modules - named)} and names {sorted(named - modules)}"
