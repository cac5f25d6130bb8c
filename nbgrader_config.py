"""nbgrader's configuration for this course (run nbgrader commands from the repository root).

solutions/<assignment>/   the SOURCE: instructor notebooks with solutions and hidden tests
assignments/<assignment>/ the RELEASE: student notebooks, made by `nbgrader generate_assignment`
submitted/, autograded/, feedback/ and gradebook.db are made by nbgrader and are git-ignored.
"""
from grading.paths import config
from grading.preprocessors import configure

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "dl-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"

# Student code runs with a per-cell time limit, so an infinite loop fails its cell instead of
# hanging the grading. COURSE_CELL_TIMEOUT overrides it (the tests use a short one).
c.Execute.timeout = config().cell_timeout()
c.Execute.interrupt_on_timeout = True
# nbgrader fails a cell whose output arrives late; on a busy machine it can take longer than nbclient's default 4 s.
c.Execute.iopub_timeout = 30

# A test cell a student deleted is put back and graded (with a note), instead of silently missing.
c.OverwriteCells.add_missing_cells = True


# The course's preprocessors (grading/preprocessors.py): sanitizing, stderr noise (warnings and progress bars)
# ignored alike by autograde and validate, feedback without hidden tests or the instructor's paths.
configure(c)

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

