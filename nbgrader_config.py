"""nbgrader's configuration for this course (run nbgrader commands from the repository root).

solutions/<assignment>/   the SOURCE: instructor notebooks with solutions and hidden tests
assignments/<assignment>/ the RELEASE: student notebooks, made by `nbgrader generate_assignment`
submitted/, autograded/, feedback/ and gradebook.db are made by nbgrader and are git-ignored.
"""
import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearOutput, DeduplicateIds, GetGrades,
                                    NbGraderPreprocessor, OverwriteCells, OverwriteKernelspec)

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "dl-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"

# Student code runs with a per-cell time limit, so an infinite loop fails its cell instead of
# hanging the grading. COURSE_CELL_TIMEOUT overrides it (the tests use a short one).
c.Execute.timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", "180"))
c.Execute.interrupt_on_timeout = True
# nbgrader fails a cell whose output arrives late; on a busy machine it can take longer than nbclient's default 4 s.
c.Execute.iopub_timeout = 30

# A test cell a student deleted is put back and graded (with a note), instead of silently missing.
c.OverwriteCells.add_missing_cells = True


class DeduplicateIdsCleanly(DeduplicateIds):
    """nbgrader's DeduplicateIds, but a duplicate loses its nbgrader metadata entirely, not to `{}`.

    An empty `{}` crashes add_missing_cells (KeyError: 'grade_id'), so a duplicated cell failed the notebook.
    """

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIdsCleanly, OverwriteKernelspec, OverwriteCells,
                                      CheckCellMetadata]

# nbgrader gives 0 to a test cell with ANY stderr output. Python warnings and tqdm progress bars are stderr, so a
# correct solution that warns (e.g. float() of a tensor that requires grad) or shows a bar would lose the points:
# drop those outputs before grading. Errors are error outputs, not stderr, and still fail their cell.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w+Warning: |\d+%\|"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"


class ScrubHiddenTestTracebacks(NbGraderPreprocessor):
    """In feedback, keep only 'ErrorName: message' of failures in cells that hold hidden tests.

    A traceback quotes the failing line, which would reveal the hidden test to the student.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "BEGIN HIDDEN TESTS" in cell.source:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
        return cell, resources


# Feedback shows visible tests and their messages, never hidden-test source or tracebacks.
c.GenerateFeedback.preprocessors = [GetGrades, ScrubHiddenTestTracebacks, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
