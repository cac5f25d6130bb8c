"""Pytest settings for the whole repository: notebooks run in quick mode unless told otherwise.

Kernels started by nbval inherit this environment variable. `COURSE_QUICK=0 pytest` runs full mode.
"""
import os

os.environ.setdefault("COURSE_QUICK", "1")
