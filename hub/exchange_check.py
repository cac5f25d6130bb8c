"""nbgrader's exchange on the hub, in one sentence each: what is in the inbound, and why a command failed.

    python hub/exchange_check.py report modified_lenet              # instructor, before `nbgrader collect`
    python hub/exchange_check.py nbgrader collect modified_lenet    # any nbgrader command; a failure ends with one sentence

The exchange is DL_COURSE_EXCHANGE (the hub sets it for every user; default /srv/nbgrader/exchange) and the course
id dl-course; `report` reads the due date from the gradebook of the course root it runs in (or --deadline).
"""
from __future__ import annotations

import argparse
import getpass
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

COURSE_ID = "dl-course"
DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"


@dataclass
class Submission:
    """One folder in the exchange's inbound: <student>+<assignment>+<timestamp>[+<random>]."""

    student: str
    assignment: str
    time: datetime
    path: Path


def exchange_root() -> Path:
    """The exchange folder of this hub."""
    return Path(os.environ.get("DL_COURSE_EXCHANGE", DEFAULT_EXCHANGE))


def parse_time(text: str) -> datetime:
    """A time as nbgrader writes it ('2026-12-01 21:30:00.123456 UTC') or in ISO 8601; UTC when no zone is given."""
    from dateutil.parser import parse  # nbgrader's own dependency

    moment = parse(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def inbound(exchange: Path, course_id: str, assignment: str) -> list[Submission]:
    """Every submission of `assignment` in the inbound, oldest first."""
    found = []
    for path in (exchange / course_id / "inbound").glob(f"*+{assignment}+*"):
        student, rest = path.name.split(f"+{assignment}+", 1)
        found.append(Submission(student, assignment, parse_time(rest.split("+")[0]), path))
    return sorted(found, key=lambda s: s.time)


def readable(path: Path) -> bool:
    """Whether this user can read every folder and file of a submission."""
    if not os.access(path, os.R_OK | os.X_OK):
        return False
    for folder, folders, files in os.walk(path):
        if any(not os.access(Path(folder) / name, os.R_OK | os.X_OK) for name in folders) or \
                any(not os.access(Path(folder) / name, os.R_OK) for name in files):
            return False
    return True


def unreadable_sentence(submission: Submission, user: str) -> str:
    """What to do about a submission this user cannot read."""
    mode = stat.S_IMODE(submission.path.stat().st_mode)
    return (f"{submission.student}'s submission of {submission.assignment} at {submission.time:%Y-%m-%d %H:%M:%S} "
            f"cannot be read by {user} (its folder has mode {mode:o}): ask {submission.student} or an administrator "
            f"to run `chmod -R a+rX '{submission.path}'`, then collect again.")


def report(submissions: list[Submission], due: datetime | None, user: str) -> list[str]:
    """One sentence per thing the instructor should know before collecting: several, late, unreadable submissions."""
    lines = []
    for student in sorted({s.student for s in submissions}):
        mine = [s for s in submissions if s.student == student]
        latest = mine[-1]
        if len(mine) > 1:
            lines.append(f"{student} submitted {latest.assignment} {len(mine)} times: `nbgrader collect` takes the "
                         f"latest ({latest.time:%Y-%m-%d %H:%M:%S} UTC), which the course grades; the earlier ones "
                         "stay in the exchange's inbound folder.")
        if due is not None and latest.time > due:
            late = latest.time - due
            lines.append(f"{student}'s latest submission of {latest.assignment} came {late.total_seconds():.0f} s "
                         f"after the due date ({due:%Y-%m-%d %H:%M:%S} UTC): it is flagged late (the grading command: "
                         f"--deadline {due:%Y-%m-%dT%H:%M:%S%z}).")
        lines += [unreadable_sentence(s, user) for s in mine if not readable(s.path)]
    return lines


def gradebook_due_date(course: Path, assignment: str) -> datetime | None:
    """The assignment's due date in the course's gradebook (UTC), or None."""
    if not (course / "gradebook.db").is_file():
        return None
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        try:
            due = gradebook.find_assignment(assignment).duedate
        except MissingEntry:
            return None
    return due.replace(tzinfo=timezone.utc) if due is not None and due.tzinfo is None else due


def released(exchange: Path, course_id: str) -> list[str]:
    """The assignments released in the course (folders of its outbound)."""
    outbound = exchange / course_id / "outbound"
    return sorted(p.name for p in outbound.iterdir() if p.is_dir()) if outbound.is_dir() else []


def explain(output: str, exchange: Path, course_id: str, user: str) -> str | None:
    """One sentence for a failed nbgrader exchange command, from its output; None when the failure is unknown."""
    if (match := re.search(r"Assignment not found at: \S*/outbound/([^/\s]+)", output)) is not None:
        names = ", ".join(released(exchange, course_id)) or "none yet"
        return (f"{match[1]} has not been released in course {course_id} (released: {names}): check the name, "
                "or ask your instructor to release it.")
    if (match := re.search(r"PermissionError: \[Errno 13\] Permission denied: '([^']*/inbound/[^/']+)", output)):
        folder = Path(match[1])
        student, assignment, rest = (folder.name.split("+") + ["", ""])[:3]
        submission = Submission(student, assignment, parse_time(rest), folder)
        return unreadable_sentence(submission, user) + " Nothing after it was collected."
    if (match := re.search(r"You already have a copy of the assignment in this directory: (\S+)", output)):
        return (f"you have already fetched {match[1]}: it is in the folder {match[1]}; rename that folder to fetch "
                "a fresh copy (your work stays in the renamed one).")
    if (match := re.search(r"Unwritable directory, please contact your instructor: (\S+)", output)):
        return (f"the exchange {match[1]} is missing or not writable by {user}: an administrator must create it "
                f"with `install -d -m 1777 {match[1]}`.")
    return None


def run_nbgrader(arguments: list[str]) -> int:
    """Run one nbgrader command, show its output, and on failure end with one sentence saying what to do."""
    process = subprocess.run([sys.executable, "-m", "nbgrader", *arguments], capture_output=True, text=True)
    sys.stdout.write(process.stdout)
    sys.stderr.write(process.stderr)
    if process.returncode != 0:
        sentence = explain(process.stdout + process.stderr, exchange_root(), COURSE_ID, getpass.getuser())
        print(f"\n{sentence or 'nbgrader failed: see its messages above.'}", file=sys.stderr)
    return process.returncode


def main(argv: list[str] | None = None) -> int:
    """The command line: `report <assignment> [--deadline ISO]` or `nbgrader <arguments...>`."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["nbgrader"]:
        return run_nbgrader(argv[1:])
    parser = argparse.ArgumentParser(prog="python hub/exchange_check.py", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["report"])
    parser.add_argument("assignment")
    parser.add_argument("--deadline", help="ISO 8601 (default: the due date in ./gradebook.db)")
    args = parser.parse_args(argv)
    due = parse_time(args.deadline) if args.deadline else gradebook_due_date(Path.cwd(), args.assignment)
    submissions = inbound(exchange_root(), COURSE_ID, args.assignment)
    print(f"{len(submissions)} submissions of {args.assignment} from {len({s.student for s in submissions})} "
          f"students in {exchange_root() / COURSE_ID / 'inbound'}")
    for line in report(submissions, due, getpass.getuser()):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
