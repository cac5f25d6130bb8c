"""Instructor tools: grade a folder or zip of submissions with nbgrader, each kernel in a sandbox.

    python -m grading <assignment> <folder-or-zip> [--course DIR]

See README.md, "For instructors", and `python -m grading --help`.
"""
