"""Find the students' hand-ins in a folder or zip, whatever made it, and place them where nbgrader looks for them.

Layouts read (tests/test_grading_cli.py has one case each):
- plain: `<student>.ipynb` files, or a folder per student with the notebook at any depth;
- nbgrader's own `submitted/`: `<student>/<assignment>/<assignment>.ipynb` beside nbgrader's `timestamp.txt`
  (also a one-student folder, for a regrade);
- Canvas's "Download Submissions" zip: `<lastfirst>[_LATE]_<user id>_<submission id>_<file name>`;
- Moodle's "Download all submissions" zip: `<Full Name>_<participant id>_assignsubmission_file_<file name>`,
  as files or as one folder per student;
- Blackboard's (nbgrader's zip_collect default): `<...>_<student>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file name>`.
An ID map (CSV with the columns lms_name and student_id) turns the LMS's names into the course's student ids;
a deadline flags hand-ins whose time (the LMS's LATE mark, the file name, the zip entry, nbgrader's timestamp)
is after it.
"""
from __future__ import annotations

import csv
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import nbformat

IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints"}
CANVAS = re.compile(r"^(?P<name>[a-z0-9-]+?)(?P<late>_LATE)?_(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$")
BLACKBOARD = re.compile(r"^.*_(?P<name>\w+?)_attempt_(?P<time>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)_?(?P<file>.*)$")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # what nbgrader writes to timestamp.txt


@dataclass
class HandIn:
    """One student's notebook as found: who (the course's id), where, when, and what to tell the instructor."""

    student: str
    notebook: Path
    lms_name: str | None = None
    submitted_at: datetime | None = None
    late: bool = False
    notes: list[str] = field(default_factory=list)


def student_id(name: str) -> str:
    """A safe student id from a file or folder name: letters, digits, '-', '_' and '.' only."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")
    return cleaned or "unnamed"


def read_id_map(path: Path) -> dict[str, str]:
    """{LMS name, lower-cased: student id} from a CSV with the columns lms_name and student_id."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"lms_name", "student_id"} <= set(reader.fieldnames):
            raise ValueError(f"{path} needs a header row with the columns lms_name and student_id "
                             f"(it has {', '.join(reader.fieldnames or ['none'])})")
        return {row["lms_name"].strip().lower(): row["student_id"].strip() for row in reader if row["lms_name"].strip()}


def parse_deadline(text: str) -> datetime:
    """A deadline in ISO 8601 (2026-12-01T23:59, with or without a UTC offset; without one it is UTC)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--deadline {text!r} is not a date and time in ISO 8601, e.g. 2026-12-01T23:59+01:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _aware(moment: datetime) -> datetime:
    """The same moment with a time zone (UTC where it had none)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def safe_extract(archive: Path, target: Path) -> dict[str, datetime]:
    """Extract a zip, refusing members that would land outside `target`; return each file's time in the zip."""
    with zipfile.ZipFile(archive) as zipped:
        for member in zipped.infolist():
            path = PurePosixPath(member.filename)
            if path.is_absolute() or ".." in path.parts or (member.external_attr >> 16) & 0o170000 == 0o120000:
                raise ValueError(f"unsafe path in {archive.name}: {member.filename}")
        zipped.extractall(target)
        return {str(target / member.filename): datetime(*member.date_time)
                for member in zipped.infolist() if not member.is_dir()}


def _nbgrader_timestamp(notebook: Path) -> datetime | None:
    """The time in nbgrader's timestamp.txt beside a submitted notebook, if there is a readable one."""
    from dateutil.parser import ParserError, parse  # nbgrader's own dependency

    stamp = notebook.parent / "timestamp.txt"
    try:
        return parse(stamp.read_text(encoding="utf-8").strip()) if stamp.is_file() else None
    except (ParserError, OverflowError, ValueError):
        return None


def _named(name: str) -> tuple[str, str | None, bool, datetime | None]:
    """(LMS name, file part, marked late, time in the name) of a file or folder name an LMS made, else (name, None...)."""
    stem = name.removesuffix(".ipynb") if name.endswith(".ipynb") else name
    if (match := MOODLE.match(name)) is not None:
        return match["name"], match["file"] or None, False, None
    if (match := CANVAS.match(name)) is not None:
        return match["name"], match["file"], bool(match["late"]), None
    if (match := BLACKBOARD.match(name)) is not None:
        return match["name"], match["file"] or None, False, datetime.strptime(match["time"], "%Y-%m-%d-%H-%M-%S")
    return stem, None, False, None


def _pick(notebooks: list[Path], assignment: str) -> tuple[Path | None, str | None]:
    """The notebook to grade among a student's notebooks, or None and why not."""
    named = [p for p in notebooks if p.name == f"{assignment}.ipynb" or p.name.endswith(f"_{assignment}.ipynb")]
    if len(named) == 1 or len(notebooks) == 1:
        return (named or notebooks)[0], None
    if not notebooks:
        return None, "no notebook handed in"
    return None, f"{len(notebooks)} notebooks and none (or several) named {assignment}.ipynb"


def _is_student_folder(folder: Path, assignment: str) -> bool:
    """A folder that holds this assignment's notebook directly (or nbgrader's <assignment>/ folder): one student's."""
    return (folder / f"{assignment}.ipynb").is_file() or (folder / assignment).is_dir()


def _entries(folder: Path) -> list[Path]:
    return sorted(e for e in folder.iterdir() if e.name not in IGNORED_PARTS and not e.name.startswith("."))


def find_hand_ins(folder: Path, assignment: str, id_map: dict[str, str] | None = None,
                  deadline: datetime | None = None, times: dict[str, datetime] | None = None,
                  ) -> tuple[list[HandIn], dict[str, str]]:
    """Each student's hand-in in `folder` (any layout in the module's docstring), and problems ({student: message})."""
    entries = _entries(folder)
    if len(entries) == 1 and entries[0].is_dir() and not _is_student_folder(entries[0], assignment) \
            and not MOODLE.match(entries[0].name):
        folder, entries = entries[0], _entries(entries[0])  # a zip or folder whose one top folder holds the class
    found: dict[str, list[HandIn]] = {}
    problems: dict[str, str] = {}
    for entry in entries:
        if entry.is_file() and entry.suffix != ".ipynb":
            continue
        lms_name, _, marked_late, named_time = _named(entry.name)
        if entry.is_file():
            notebook, why = entry, None
        else:
            notebook, why = _pick([p for p in sorted(entry.rglob("*.ipynb")) if not IGNORED_PARTS & set(p.parts)],
                                  assignment)
        mapped = (id_map or {}).get(lms_name.lower())
        student = mapped or student_id(lms_name)
        if why is not None:
            problems[student] = why
            continue
        hand_in = HandIn(student, notebook, lms_name if lms_name != student else None)
        hand_in.submitted_at = named_time or _nbgrader_timestamp(notebook) or (times or {}).get(str(notebook))
        if id_map is not None and mapped is None:
            hand_in.notes.append(f"{lms_name!r} is not in the ID map: graded as {student}")
        late_by_time = deadline is not None and hand_in.submitted_at is not None and \
            _aware(hand_in.submitted_at) > deadline
        hand_in.late = marked_late or late_by_time
        if hand_in.late:
            when = f" at {hand_in.submitted_at:%Y-%m-%d %H:%M}" if hand_in.submitted_at else ""
            hand_in.notes.append(f"late: handed in{when}" + (f", after the deadline {deadline:%Y-%m-%d %H:%M %Z}"
                                                               if late_by_time else " (marked late by the LMS)"))
        found.setdefault(student, []).append(hand_in)
    hand_ins = []
    for several in found.values():
        latest = max(several, key=lambda h: (_aware(h.submitted_at) if h.submitted_at else datetime.min.replace(
            tzinfo=timezone.utc), h.notebook.name))
        if len(several) > 1:
            latest.notes.append(f"{len(several)} hand-ins: the latest ({latest.notebook.name}) graded")
        hand_ins.append(latest)
    return hand_ins, problems


def place_submissions(source: Path, assignment: str, course: Path, id_map: dict[str, str] | None = None,
                      deadline: datetime | None = None) -> tuple[list[HandIn], dict[str, str]]:
    """Copy each student's notebook to course/submitted/<student>/<assignment>/<assignment>.ipynb (with its time).

    Returns the hand-ins placed and the problems ({student: message}) of those that could not be.
    Notebooks that nbformat cannot read are not placed (they would stop nbgrader's run).
    """
    with tempfile.TemporaryDirectory() as scratch:
        folder, times = source, {}
        if source.is_file() and zipfile.is_zipfile(source):
            folder = Path(scratch)
            times = safe_extract(source, folder)
        elif not source.is_dir():
            raise ValueError(f"{source} is neither a folder nor a zip file")
        found, problems = find_hand_ins(folder, assignment, id_map, deadline, times)
        placed = []
        for hand_in in found:
            try:
                nbformat.read(hand_in.notebook, as_version=4)
            except Exception as error:  # not JSON, not a notebook: report, grade the others
                problems[hand_in.student] = f"not a readable notebook ({type(error).__name__})"
                continue
            target = course / "submitted" / hand_in.student / assignment
            target.mkdir(parents=True, exist_ok=True)
            destination = target / f"{assignment}.ipynb"
            if hand_in.notebook.resolve() != destination.resolve():  # nbgrader's own submitted/ is already in place
                shutil.copyfile(hand_in.notebook, destination)
                if hand_in.submitted_at is not None:
                    stamp = _aware(hand_in.submitted_at).astimezone(timezone.utc)
                    (target / "timestamp.txt").write_text(stamp.strftime(TIMESTAMP_FORMAT), encoding="utf-8")
            placed.append(hand_in)
    return placed, problems
