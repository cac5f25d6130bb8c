"""nbgrader's configuration for every user of the hub: the course id and the exchange (the spawner sets the env).

For instructors (the spawner sets DL_COURSE_DIR) the formgrader and nbgrader commands run outside a course folder
use their course: its root and its own nbgrader_config.py. In a course folder (or a copy of one, as the grading
command's canary makes) that folder's config wins.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "dl-course"
c.Exchange.root = os.environ.get("DL_COURSE_EXCHANGE", "/srv/nbgrader/exchange")

course = os.environ.get("DL_COURSE_DIR")
if course and not os.path.isfile("nbgrader_config.py") and os.path.isfile(os.path.join(course, "nbgrader_config.py")):
    c.CourseDirectory.root = course
    load_subconfig(os.path.join(course, "nbgrader_config.py"))  # noqa: F821 (provided by traitlets)
