"""The course's nbgrader preprocessors and chains, wired in by nbgrader_config.py (autograde, validate, feedback)."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    Execute,
    GetGrades,
    IgnorePattern,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
)

# nbgrader gives 0 to a test cell with ANY stderr output. Python warnings and tqdm progress bars are stderr, so a
# correct solution that warns (float() of a tensor that requires grad) or shows a bar would lose the points: both
# autograde and validate drop those outputs. Errors are error outputs, not stderr, and still fail their cell.
STDERR_NOISE = r"\w+Warning: |\d+%\|"


class DeduplicateIdsCleanly(DeduplicateIds):
    """nbgrader's DeduplicateIds, but a duplicate loses its nbgrader metadata entirely, not to `{}`.

    An empty `{}` crashes add_missing_cells (KeyError: 'grade_id'), so a duplicated cell failed the notebook.
    """

    def preprocess_cell(self, cell, resources, index):
        """Drop the emptied nbgrader metadata of a duplicated cell."""
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


class ScrubHiddenTestTracebacks(NbGraderPreprocessor):
    """In feedback, keep only 'ErrorName: message' of failures in cells that hold hidden tests.

    A traceback quotes the failing line, which would reveal the hidden test to the student.
    """

    def preprocess_cell(self, cell, resources, index):
        """Shorten the tracebacks of a cell with hidden tests to their last line."""
        if cell.cell_type == "code" and "BEGIN HIDDEN TESTS" in cell.source:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
        return cell, resources


def instructor_paths() -> list[tuple[str, str]]:
    """(path, placeholder) pairs of the instructor's folders, longest first: course, Python, home, data."""
    from .paths import config, data_root, utils_dir

    pairs = {str(Path(os.environ.get("GRADING_COURSE_ROOT") or os.getcwd()).resolve()): "<course>",
             str(Path.cwd()): "<course>", str(utils_dir().parent): "<course>",
             str(Path(sys.prefix)): "<python>", str(Path(sys.base_prefix)): "<python>",
             str(Path(sys.base_prefix).resolve()): "<python>",
             str(config().settings().data_root): "<data>", str(data_root()): "<data>", str(Path.home()): "~"}
    return sorted(((path, name) for path, name in pairs.items() if len(path) > 1), key=lambda pair: -len(pair[0]))


def scrub(text: str, paths: list[tuple[str, str]]) -> str:
    """`text` with each instructor path replaced by its placeholder."""
    for path, placeholder in paths:
        text = re.sub(re.escape(path) + r"(?=[/\\\s'\":,)\]]|$)", placeholder, text, flags=re.MULTILINE)
    return text


class ScrubPaths(NbGraderPreprocessor):
    """In feedback, replace the instructor's folders (course, Python, home, data) in every output by placeholders."""

    def preprocess(self, nb, resources):
        """Work out the paths once per notebook, then scrub each cell."""
        self._paths = instructor_paths()
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        """Scrub the text, error message, traceback and plain-text data of each output."""
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if "text" in output:
                output["text"] = scrub(output["text"], self._paths)
            if "evalue" in output:
                output["evalue"] = scrub(output["evalue"], self._paths)
            if "traceback" in output:
                output["traceback"] = [scrub(line, self._paths) for line in output["traceback"]]
            for kind in ("text/plain", "text/html"):
                if kind in output.get("data", {}):
                    output["data"][kind] = scrub(output["data"][kind], self._paths)
        return cell, resources


SANITIZE = [ClearOutput, DeduplicateIdsCleanly, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]
# Feedback shows visible tests and their messages, never hidden-test source, tracebacks or the instructor's paths.
FEEDBACK = [GetGrades, ScrubHiddenTestTracebacks, ScrubPaths, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
VALIDATE = [CheckCellMetadata, ClearOutput, Execute, IgnorePattern]


def use_in_validate(chain: list[type]) -> None:
    """Make `nbgrader validate` (and the Validate button) run `chain`.

    nbgrader 0.9's Validator.preprocessors is not a configurable trait, so its default is replaced here; the
    config file runs in the process that validates (the app, or the server extension's handler), before it
    makes its Validator.
    """
    from nbgrader.validator import Validator

    Validator.class_traits()["preprocessors"].default_args = (list(chain),)


def configure(c) -> None:
    """Wire the course's preprocessors into nbgrader's config object `c` (autograde, validate, feedback)."""
    c.Autograde.sanitize_preprocessors = SANITIZE
    c.IgnorePattern.enabled = True
    c.IgnorePattern.pattern = STDERR_NOISE
    c.GenerateFeedback.preprocessors = FEEDBACK
    c.ClearMetadataPreprocessor.preserve_cell_metadata_mask = {"nbgrader", "execution"}  # cells' timings
    use_in_validate(VALIDATE)
