"""JupyterHub for the course: Unix users, one JupyterLab each (LocalProcessSpawner), nbgrader's exchange.

Start it as root from this folder's parent environment (the course installed: `pip install -e ".[grading]"` plus
jupyterhub, and configurable-http-proxy from npm on PATH):

    DL_COURSE_INSTRUCTORS=teach DL_COURSE_STUDENTS=alice,bob jupyterhub -f hub/jupyterhub_config.py

Who is who: the hub's groups formgrade-dl-course (instructors: the formgrader in their JupyterLab, nbgrader's
"One class, one grader" set-up) and nbgrader-dl-course (students: the Assignments list, no formgrader).
Settings come from the environment (hub/course_hub.py). Logins go through PAM (the machine's Unix passwords);
DL_COURSE_HUB_TEST_PASSWORD switches to JupyterHub's shared-password authenticator, for tests only.
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # traitlets sets __file__ when it loads this file

import course_hub  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

people = course_hub.instructors() + course_hub.students()
c.Authenticator.allowed_users = set(people)
c.JupyterHub.load_groups = {course_hub.INSTRUCTOR_GROUP: course_hub.instructors(),
                            course_hub.STUDENT_GROUP: course_hub.students()}
if os.environ.get("DL_COURSE_HUB_TEST_PASSWORD"):  # tests: every listed user logs in with this password
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ["DL_COURSE_HUB_TEST_PASSWORD"]
else:
    c.JupyterHub.authenticator_class = "pam"

# Each user's JupyterLab runs as that Unix user, from the hub's own environment (the course and nbgrader installed).
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [course_hub.user_python(), "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"  # students fetch into their home folder; the instructor's course lies in it too
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 180


def course_environment(spawner) -> None:
    """Give the user's server the course's nbgrader config, the exchange and the data root, by role."""
    role = course_hub.role([group.name for group in spawner.user.groups])
    spawner.environment.update(course_hub.user_environment(role))


c.Spawner.pre_spawn_hook = course_environment
