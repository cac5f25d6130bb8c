"""The classroom on JupyterHub, end to end with real parts (hub/jupyterhub_config.py).

JupyterHub (PyPI) with configurable-http-proxy (npm; installed into ~/.cache/dl-course/hub-proxy when missing) on
loopback, three Unix users made here with useradd (an instructor, two students; removed afterwards), each user's
JupyterLab started by the LocalProcessSpawner as that user, nbgrader's exchange in a temporary folder (mode 1777).
The instructor releases modified_lenet; each student logs in with Chromium, fetches and submits it in JupyterLab's
Assignment List (screenshots in test-output/hub/); the instructor collects, grades with the course's grading command
(sandbox and canary), releases feedback; each student fetches their own. Then the exchange's failures, one sentence
each (hub/exchange_check.py). Needs root, useradd, npm (or configurable-http-proxy on PATH), bwrap and chromium;
COURSE_SKIP_HUB=1 skips it on purpose.
"""
from __future__ import annotations

import html
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest

from conftest import CHROMIUM, REPO, launch_chromium
from hub import course_hub, exchange_check

pytestmark = pytest.mark.slow

ASSIGNMENT = "modified_lenet"
SHOTS = REPO / "test-output" / "hub"
PROXY_DIR = Path(os.environ.get("DL_COURSE_PROXY_DIR", Path.home() / ".cache" / "dl-course" / "hub-proxy"))
HAND_INS = REPO / "tests" / "submissions" / ASSIGNMENT
PASSWORD = secrets.token_urlsafe(12)
TIMING: dict[str, float] = {}


@dataclass
class Classroom:
    """The running hub and everything the test made for it."""

    url: str
    teacher: str
    alice: str
    bob: str
    exchange: Path
    course: Path
    python: str
    work: Path
    deadline: datetime | None = None
    notes: dict = field(default_factory=dict)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def why_not() -> str | None:
    """Why this machine cannot run the test, or None."""
    if os.environ.get("COURSE_SKIP_HUB") == "1":
        return "COURSE_SKIP_HUB=1"
    if sys.platform != "linux" or os.geteuid() != 0:
        return "the hub test makes Unix users and spawns their servers: it needs root on Linux"
    for tool in ("useradd", "userdel", "runuser"):
        if not shutil.which(tool):
            return f"{tool} is missing (apt-get install passwd util-linux)"
    return None


def proxy_bin() -> Path:
    """The folder holding configurable-http-proxy: on PATH, or npm-installed into PROXY_DIR here."""
    if shutil.which("configurable-http-proxy"):
        return Path(shutil.which("configurable-http-proxy")).parent
    target = PROXY_DIR / "node_modules" / ".bin"
    if not (target / "configurable-http-proxy").exists():
        assert shutil.which("npm"), ("configurable-http-proxy is missing and npm is not installed to fetch it: "
                                     "apt-get install nodejs npm, or npm install -g configurable-http-proxy")
        done = subprocess.run(["npm", "install", "--prefix", str(PROXY_DIR), "--no-audit", "--no-fund",
                               "configurable-http-proxy@4"], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"npm install configurable-http-proxy failed: {done.stderr[-2000:]}"
    return target


def runs_as_nobody(python: str) -> bool:
    """Whether another Unix user can run this Python and import the hub's server from it."""
    probe = ["runuser", "-u", "nobody", "--", python, "-c", "import jupyterhub.singleuser, nbgrader"]
    return subprocess.run(probe, capture_output=True, cwd="/").returncode == 0


def readable_interpreter() -> Path:
    """A copy of the venv's own interpreter (binary, libpython, standard library) in /var/tmp, readable by every user."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = Path(sys.base_prefix)
    cache = Path("/var/tmp") / f"dl-course-hub-python-{sys.version.split()[0]}"
    if not (cache / "bin" / version).exists():
        partial = cache.with_name(f"{cache.name}.{os.getpid()}")
        (partial / "bin").mkdir(parents=True, exist_ok=True)
        shutil.copy2(base / "bin" / version, partial / "bin" / version)
        (partial / "lib").mkdir(exist_ok=True)
        for library in (base / "lib").glob("libpython*.so*"):
            shutil.copy2(library, partial / "lib" / library.name)
        shutil.copytree(base / "lib" / version, partial / "lib" / version, symlinks=True,
                        ignore=shutil.ignore_patterns("site-packages", "test", "idlelib", "tkinter"))
        (partial / "lib" / version / "site-packages").mkdir(exist_ok=True)
        subprocess.run(["chmod", "-R", "a+rX", str(partial)], check=True)
        partial.rename(cache)
    return cache / "bin" / version


def user_python(work: Path) -> str:
    """A Python every test user can run, with the course's environment (the venv's base may lie in /root, mode 700).

    Where it does, the same interpreter is copied to /var/tmp (once; LD_LIBRARY_PATH finds its libpython) and a
    virtual environment over the course's site-packages is made from it.
    """
    if runs_as_nobody(sys.executable):
        return sys.executable
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = readable_interpreter()
    os.environ["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (str(base.parent.parent / "lib"),
                                                                 os.environ.get("LD_LIBRARY_PATH")) if p)
    if not runs_as_nobody_base(str(base)):
        pytest.skip(f"{sys.executable} lies where other Unix users cannot run it ({sys.base_prefix}), and its copy "
                    f"{base} does not run: make the venv from a Python in /usr or /opt")
    env = work / "env"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(env)], check=True)
    site_packages = env / "lib" / version / "site-packages"  # the venv's own, so its code counts as the library's
    shutil.rmtree(site_packages)
    site_packages.symlink_to(next(p for p in sys.path if p.startswith(sys.prefix) and p.endswith("site-packages")))
    for name in ("share", "etc"):  # lab extensions, nbgrader's server extensions
        (env / name).symlink_to(Path(sys.prefix) / name)
    for script in (Path(sys.prefix) / "bin").iterdir():  # console scripts (nbgrader calls alembic) on the new Python
        if script.is_file() and not script.name.startswith(("python", "activate", "Activate")):
            head = script.read_bytes()[:200]
            if head.startswith(b"#!") and sys.prefix.encode() in head.split(b"\n")[0]:
                lines = script.read_text().split("\n", 1)
                (env / "bin" / script.name).write_text(f"#!{env / 'bin' / 'python'}\n{lines[1]}")
                (env / "bin" / script.name).chmod(0o755)
    subprocess.run(["chmod", "-R", "a+rX", str(env)], check=True)
    return str(env / "bin" / "python")


def runs_as_nobody_base(python: str) -> bool:
    """Whether another Unix user can run this interpreter at all."""
    return subprocess.run(["runuser", "-u", "nobody", "--", python, "-c", "pass"], capture_output=True,
                          cwd="/").returncode == 0


def as_user(room: Classroom, user: str, arguments: list[str], cwd: Path | None = None,
            timeout: int = 600) -> subprocess.CompletedProcess:
    """Run a command as a Unix user, with the environment the hub gives that user's server."""
    role = "instructor" if user == room.teacher else "student"
    home = Path(pwd.getpwnam(user).pw_dir)
    env = {"HOME": str(home), "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
           **course_hub.user_environment(role)}
    command = ["runuser", "-u", user, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *arguments]
    return subprocess.run(command, cwd=cwd or home, capture_output=True, text=True, timeout=timeout)


def nbgrader(room: Classroom, user: str, arguments: list[str], cwd: Path | None = None) -> str:
    """Run an nbgrader command as a user; fail with its output unless it succeeds."""
    done = as_user(room, user, [room.python, "-m", "nbgrader", *arguments], cwd)
    assert done.returncode == 0, f"nbgrader {' '.join(arguments)} as {user} failed:\n{(done.stdout + done.stderr)[-3000:]}"
    return done.stdout + done.stderr


def add_user(name: str) -> None:
    """A Unix user with a home folder."""
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True, capture_output=True)


def remove_user(name: str) -> None:
    """End what the test left running as this user (by process id), then delete the user and its home."""
    uid = pwd.getpwnam(name).pw_uid
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass
    time.sleep(0.5)
    subprocess.run(["userdel", "--remove", name], capture_output=True)


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: int = 120) -> None:
    """Wait until the URL answers, failing with the log's tail if the process dies or time runs out."""
    deadline = time.time() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            assert process.poll() is None and time.time() < deadline, log.read_text()[-4000:]
            time.sleep(0.5)


def make_course(teacher: str) -> Path:
    """The instructor's course root in their home: the course's nbgrader config, the assignment's source and release."""
    course = Path(pwd.getpwnam(teacher).pw_dir) / course_hub.COURSE_ID
    shutil.copy(REPO / "nbgrader_config.py", course.parent / "nbgrader_config.py.tmp")
    (course / "solutions").mkdir(parents=True)
    (course.parent / "nbgrader_config.py.tmp").rename(course / "nbgrader_config.py")
    shutil.copytree(REPO / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    shutil.copytree(REPO / "assignments" / ASSIGNMENT, course / "assignments" / ASSIGNMENT)
    subprocess.run(["chown", "-R", f"{teacher}:{teacher}", str(course)], check=True)
    return course


@pytest.fixture(scope="module")
def classroom():
    """A running hub with an instructor and two students; everything removed afterwards."""
    if (reason := why_not()) is not None:
        pytest.skip(reason)
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium (or COURSE_SKIP_HUB=1)"
    started = time.perf_counter()
    suffix = secrets.token_hex(3)
    teacher, alice, bob = f"dlt{suffix}", f"dla{suffix}", f"dlb{suffix}"
    work = Path(tempfile.mkdtemp(prefix="dl-course-hub-", dir="/tmp"))
    work.chmod(0o755)
    exchange = work / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)  # nbgrader's exchange: everyone writes, the sticky bit keeps each one's files theirs
    state = work / "hub"
    state.mkdir(mode=0o700)
    made, hub, log = [], None, None
    with pytest.MonkeyPatch.context() as patch:
        try:
            for name in (teacher, alice, bob):
                add_user(name)
                made.append(name)
            patch.setenv("LD_LIBRARY_PATH", os.environ.get("LD_LIBRARY_PATH", ""))  # restored afterwards
            python = user_python(work)
            settings = {"DL_COURSE_INSTRUCTORS": teacher, "DL_COURSE_STUDENTS": f"{alice},{bob}",
                        "DL_COURSE_EXCHANGE": str(exchange), "DL_COURSE_USER_PYTHON": python,
                        "DL_COURSE_DIR": str(Path(pwd.getpwnam(teacher).pw_dir) / course_hub.COURSE_ID),
                        "DL_COURSE_HUB_TEST_PASSWORD": PASSWORD,
                        "COURSE_QUICK": os.environ.get("COURSE_QUICK", "1")}
            for name, value in settings.items():
                patch.setenv(name, value)
            course = make_course(teacher)
            port = free_port()
            env = {**os.environ, "PATH": os.pathsep.join([str(proxy_bin()), str(Path(sys.executable).parent),
                                                          os.environ.get("PATH", "")])}
            log_path = state / "jupyterhub.log"
            log = open(log_path, "w")
            hub = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(REPO / "hub" / "jupyterhub_config.py"),
                                    "--ip=127.0.0.1", f"--port={port}", f"--JupyterHub.hub_port={free_port()}",
                                    f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}"],
                                   cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT)
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/hub/api", hub, log_path)
            TIMING["set-up"] = time.perf_counter() - started
            yield Classroom(url, teacher, alice, bob, exchange, course, python, work, notes={"log": log_path})
        finally:
            if hub is not None:
                hub.send_signal(signal.SIGINT)  # the hub stops the users' servers and its proxy on the way out
                try:
                    hub.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    hub.kill()
            if log is not None:
                log.close()
            for name in made:
                remove_user(name)
            shutil.rmtree(work, ignore_errors=True)
            print(f"\nhub test timings (s): { {k: round(v, 1) for k, v in TIMING.items()} }")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, driven by Playwright (as tests/test_browser.py)."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as driver:
        chromium = launch_chromium(driver)
        yield chromium
        chromium.close()


def log_in(browser, room: Classroom, user: str):
    """A new browser session that has submitted the hub's login form (the server starts behind it)."""
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(f"{room.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    return page


def open_assignment_list(page, listing: str = "released_assignments_list") -> None:
    """Nbgrader -> Assignment List in the user's JupyterLab, once it shows the assignment in `listing`."""
    page.wait_for_selector(".lm-MenuBar-itemLabel:has-text('Nbgrader')", timeout=240_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").first.click()
    page.locator(f"#{listing} >> text={ASSIGNMENT}").first.wait_for(timeout=60_000)


def click_in_list(page, listing: str, label: str, then_listing: str) -> None:
    """Click the button `label` of the assignment's row in one list; wait until the assignment shows in another."""
    row = page.locator(f"#{listing} .list_item", has_text=ASSIGNMENT).first
    row.locator(f"button:text-is('{label}')").click()
    page.locator(f"#{then_listing} >> text={ASSIGNMENT}").first.wait_for(timeout=120_000)


def shot(page, name: str) -> None:
    """A screenshot into test-output/hub/."""
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def hand_in_cells(name: str) -> dict[str, str]:
    """{grade_id: source} of a hand-in in tests/submissions/ (its base's cells first); see its README."""
    text = (HAND_INS / f"{name}.py").read_text(encoding="utf-8")
    base = re.search(r"^# base: (\S+)", text, re.MULTILINE)
    cells = hand_in_cells(base[1]) if base else {}
    for block in re.split(r"^# %% ", text, flags=re.MULTILINE)[1:]:
        head, _, body = block.partition("\n")
        kind, _, grade_id = head.partition(":")
        assert kind == "cell", f"{name}: only '# %% cell:' blocks are used here, not {kind!r}"
        cells[grade_id.strip()] = body.rstrip("\n")
    return cells


def fill(room: Classroom, user: str, hand_in: str) -> None:
    """Write a student's answers into their fetched notebook (as the student's own file)."""
    path = Path(pwd.getpwnam(user).pw_dir) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cells = hand_in_cells(hand_in)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in cells:
            cell.source = cells.pop(grade_id)
    assert not cells, f"cells of {hand_in} not in the release: {sorted(cells)}"
    nbformat.write(notebook, path)
    shutil.chown(path, user, user)


def html_text(path: Path) -> str:
    """The visible text of an HTML page, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))).split())


def hidden_test_lines() -> set[str]:
    """Lines (12+ characters) found only inside the solution's hidden tests."""
    source = nbformat.read(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    inside, outside, within = set(), set(), False
    for cell in source.cells:
        for line in cell.source.splitlines():
            within = (within or "BEGIN HIDDEN TESTS" in line) and "END HIDDEN TESTS" not in line
            (inside if within else outside).add(" ".join(line.split()))
    return {line for line in inside - outside if len(line) >= 12 and "HIDDEN TESTS" not in line}


def feedback_pages(user: str) -> list[Path]:
    """The feedback a student has fetched."""
    return sorted((Path(pwd.getpwnam(user).pw_dir) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))


def test_release_fetch_submit_collect_grade_feedback(classroom, browser):
    room = classroom
    cycle = time.perf_counter()
    # the instructor (in a JupyterLab terminal on the hub; here the same commands as that Unix user)
    nbgrader(room, room.teacher, ["generate_assignment", ASSIGNMENT, "--force"], room.course)
    nbgrader(room, room.teacher, ["release_assignment", ASSIGNMENT], room.course)
    assert (room.exchange / course_hub.COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

    # the instructor and both students log in at once (the hub starts the three servers)
    teacher = log_in(browser, room, room.teacher)
    pages = {user: log_in(browser, room, user) for user in (room.alice, room.bob)}
    teacher.wait_for_selector(".lm-MenuBar-itemLabel:has-text('Nbgrader')", timeout=240_000)
    teacher.goto(f"{room.url}/user/{room.teacher}/formgrader/manage_assignments")
    teacher.locator(f"text={ASSIGNMENT}").first.wait_for(timeout=120_000)  # the formgrader knows the course
    shot(teacher, "00_instructor_formgrader.png")
    teacher.context.close()
    # each student fetches in the Assignment List
    for user, page in pages.items():
        open_assignment_list(page)
        click_in_list(page, "released_assignments_list", "Fetch", "fetched_assignments_list")
        assert (Path(pwd.getpwnam(user).pw_dir) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file(), f"{user} fetched nothing"
    TIMING["log in and fetch"] = time.perf_counter() - cycle
    student_sees_no_formgrader = pages[room.alice].request.get(f"{room.url}/user/{room.alice}/formgrader")
    assert student_sees_no_formgrader.status == 404, "a student's JupyterLab should not serve the formgrader"

    # alice answers correctly and submits; bob submits the blank notebook first (before the due date)
    fill(room, room.alice, "correct_adam")
    shot(pages[room.alice], "01_student_assignments_before_submit.png")
    for page in pages.values():
        click_in_list(page, "fetched_assignments_list", "Submit", "submitted_assignments_list")
    shot(pages[room.alice], "02_student_assignments_after_submit.png")
    shot(pages[room.bob], "03_second_student_after_first_submit.png")

    # the due date passes; bob submits again, partly wrong, after it (from his terminal)
    time.sleep(1.1)
    room.deadline = datetime.now(timezone.utc).replace(microsecond=0)
    time.sleep(1.1)
    nbgrader(room, room.teacher, ["db", "assignment", "add", ASSIGNMENT,
                                  f"--duedate={room.deadline:%Y-%m-%d %H:%M:%S} UTC"], room.course)
    fill(room, room.bob, "wrong_padding_once")
    nbgrader(room, room.bob, ["submit", ASSIGNMENT])
    inbound = exchange_check.inbound(room.exchange, course_hub.COURSE_ID, ASSIGNMENT)
    assert [s.student for s in inbound].count(room.bob) == 2 and [s.student for s in inbound].count(room.alice) == 1

    # the instructor: what is in the inbound (one sentence each), collect, grade with the course's command
    report = as_user(room, room.teacher, [room.python, str(REPO / "hub" / "exchange_check.py"), "report", ASSIGNMENT],
                     room.course)
    assert report.returncode == 0, report.stderr[-2000:]
    said = report.stdout
    assert f"{room.bob} submitted {ASSIGNMENT} 2 times: `nbgrader collect` takes the latest" in said, said
    assert f"{room.bob}'s latest submission of {ASSIGNMENT} came" in said and "flagged late" in said, said
    assert room.alice not in said.split("\n", 1)[1], f"alice submitted once, on time: {said}"
    nbgrader(room, room.teacher, ["collect", ASSIGNMENT], room.course)
    collected = (room.course / "submitted" / room.bob / ASSIGNMENT / "timestamp.txt").read_text()
    assert exchange_check.parse_time(collected) == inbound[-1].time or inbound[-1].student != room.bob
    started = time.perf_counter()
    graded = as_user(room, room.teacher, [room.python, "-m", "grading", ASSIGNMENT, "submitted", "--course",
                                          str(room.course), "--deadline", room.deadline.isoformat()], room.course)
    TIMING["grading command"] = time.perf_counter() - started
    output = graded.stdout + graded.stderr
    assert graded.returncode == 0, f"the grading command failed ({graded.returncode}):\n{output[-4000:]}"
    assert "canary: the reference solution scored" in output, output[-3000:]
    summary = (room.course / "grading_logs" / f"{ASSIGNMENT}-summary.csv").read_text()
    rows = {line.split(",")[0]: line for line in summary.splitlines()[1:]}
    scores = {s: re.search(r"(\d+(?:\.\d+)?) / (\d+(?:\.\d+)?)", rows[s]).groups() for s in (room.alice, room.bob)}
    full = scores[room.alice][1]
    assert scores[room.alice][0] == full, f"alice's correct hand-in should get full marks: {rows[room.alice]}"
    assert 0 < float(scores[room.bob][0]) < float(full), f"bob's later, partly wrong hand-in: {rows[room.bob]}"
    assert ",late," in rows[room.bob] and ",late," not in rows[room.alice], summary

    # feedback: generated by the grading command; released; alice fetches hers with the button, bob from his terminal
    made = sorted(str(p.relative_to(room.course)) for p in (room.course / "feedback").rglob("*") if p.is_file())
    assert f"feedback/{room.alice}/{ASSIGNMENT}/{ASSIGNMENT}.html" in made, f"the grading command's feedback: {made}"
    released = nbgrader(room, room.teacher, ["release_feedback", ASSIGNMENT], room.course)
    assert f"Releasing feedback for student '{room.alice}'" in released, f"{released[-2000:]}; feedback/: {made}"
    page = pages[room.alice]
    page.reload()
    open_assignment_list(page, "submitted_assignments_list")
    page.locator("#submitted_assignments_list button:text-is('Fetch Feedback')").first.click()
    deadline = time.time() + 60
    while not feedback_pages(room.alice) and time.time() < deadline:
        page.wait_for_timeout(500)
    shown = page.locator("#submitted_assignments_list").inner_text()
    assert feedback_pages(room.alice), f"alice's Fetch Feedback brought nothing; her list: {shown!r}; {released[-1500:]}"
    page.locator("#submitted_assignments_list >> text=view feedback").first.wait_for(timeout=30_000)
    shot(page, "04_student_fetched_feedback.png")
    nbgrader(room, room.bob, ["fetch_feedback", ASSIGNMENT])
    hidden = hidden_test_lines()
    for user, other in ((room.alice, room.bob), (room.bob, room.alice)):
        fetched = feedback_pages(user)
        assert len(fetched) == 1, f"{user} should have one feedback page (their graded submission): {fetched}"
        text = html_text(fetched[0])
        own, theirs = scores[user][0], scores[other][0]
        total = f"{ASSIGNMENT} (Score: {float(own):.1f} / "  # autograded points; written answers are graded by hand
        assert total in text, f"{user}'s feedback should show their score {own}: {text[text.find(ASSIGNMENT + ' ('):][:300]}"
        assert f"{ASSIGNMENT} (Score: {float(theirs):.1f} / " not in text, f"{user}'s feedback shows {other}'s score"
        assert other not in text, f"{user}'s feedback names {other}"
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"{user}'s feedback shows hidden-test lines: {leaked[:3]}"
        assert own != theirs  # the two scores differ, so each page shows its own
    TIMING["full cycle"] = time.perf_counter() - cycle
    for page in pages.values():
        page.context.close()


def test_exchange_failures_say_one_sentence(classroom):
    room = classroom
    check = [room.python, str(REPO / "hub" / "exchange_check.py")]
    # a fetch of an assignment that was not released
    missing = as_user(room, room.alice, [*check, "nbgrader", "fetch_assignment", "no_such_assignment"])
    assert missing.returncode != 0
    last = missing.stderr.strip().splitlines()[-1]
    assert last == (f"no_such_assignment has not been released in course {course_hub.COURSE_ID} (released: "
                    f"{ASSIGNMENT}): check the name, or ask your instructor to release it."), missing.stderr[-2000:]
    # fetching twice
    again = as_user(room, room.alice, [*check, "nbgrader", "fetch_assignment", ASSIGNMENT])
    assert again.returncode != 0 and "you have already fetched" in again.stderr.strip().splitlines()[-1], again.stderr
    # a submission the instructor cannot read: alice resubmits, then closes her folder in the exchange
    nbgrader(room, room.alice, ["submit", ASSIGNMENT])
    latest = exchange_check.inbound(room.exchange, course_hub.COURSE_ID, ASSIGNMENT)[-1]
    assert latest.student == room.alice
    closed = as_user(room, room.alice, ["chmod", "700", str(latest.path)])
    assert closed.returncode == 0, closed.stderr
    report = as_user(room, room.teacher, [*check, "report", ASSIGNMENT], room.course)
    assert f"{room.alice}'s submission of {ASSIGNMENT} at" in report.stdout and \
        f"cannot be read by {room.teacher} (its folder has mode 700)" in report.stdout, report.stdout
    collect = as_user(room, room.teacher, [*check, "nbgrader", "collect", "--update", ASSIGNMENT], room.course)
    last = collect.stderr.strip().splitlines()[-1] if collect.stderr.strip() else ""
    assert collect.returncode != 0 and f"cannot be read by {room.teacher}" in last and "chmod -R a+rX" in last, \
        (collect.stdout + collect.stderr)[-3000:]
    # an exchange that does not exist (the administrator forgot to make it)
    gone = as_user(room, room.bob, ["env", f"DL_COURSE_EXCHANGE={room.work / 'nowhere'}", *check, "nbgrader",
                                    "fetch_assignment", ASSIGNMENT])
    last = gone.stderr.strip().splitlines()[-1] if gone.stderr.strip() else ""
    assert gone.returncode != 0 and "install -d -m 1777" in last, (gone.stdout + gone.stderr)[-2000:]


def test_kubernetes_values_and_image_name_what_the_hub_needs():
    """hub/k8s/values.yaml parses, its extra config compiles, and it mounts the exchange and the data the image expects."""
    import yaml

    values = yaml.safe_load((REPO / "hub" / "k8s" / "values.yaml").read_text(encoding="utf-8"))
    for name, code in values["hub"]["extraConfig"].items():
        compile(code, name, "exec")
    mounts = {m["mountPath"] for m in values["singleuser"]["storage"]["extraVolumeMounts"]}
    env = values["singleuser"]["extraEnv"]
    assert {env["DL_COURSE_EXCHANGE"], env["COURSE_DATA_ROOT"]} <= mounts
    assert any(m.get("readOnly") and m["mountPath"] == env["COURSE_DATA_ROOT"]
               for m in values["singleuser"]["storage"]["extraVolumeMounts"]), "the data root should be read-only"
    groups = values["hub"]["config"]["JupyterHub"]["load_groups"]
    assert {course_hub.INSTRUCTOR_GROUP, course_hub.STUDENT_GROUP} <= set(groups)
    dockerfile = (REPO / "hub" / "k8s" / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM quay.io/jupyter/" in dockerfile
    assert '"/opt/dl-course[grading]"' in dockerfile and "hub/jupyter/common/nbgrader_config.py" in dockerfile
