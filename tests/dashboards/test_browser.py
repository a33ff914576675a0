"""The dashboard in a real browser: `qa dashboard` on a free port, headless Debian Chromium
driven by Playwright; every page opens without a Streamlit exception; screenshots are kept
(in $QA_SCREENSHOTS when set, else the test's tmp folder) for a person to look at."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from dashboard_fixtures import build_reviewed_centre
from shared_data import shared_file

from qa_pipeline.store import database as store

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
PAGES = {"Review queue": "review_queue", "Agent feedback": "agent_feedback", "Coaching clips": "coaching_clips",
         "Team trends": "team_trends"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"qa dashboard exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the dashboard did not answer on {url} within {seconds} s")


def _start(db: Path, *extra: str):
    """`qa dashboard` on a free port; its output goes to a file (a full pipe would stall it)."""
    port = _free_port()
    audio = shared_file("data", "audio")
    cmd = [sys.executable, "-c", "from qa_pipeline.cli.main import main; main()", "dashboard", "--db", str(db),
           "--port", str(port), "--host", "127.0.0.1", "--recordings", str(audio), *extra]
    log = db.parent / f"dashboard-{port}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "QA_DASHBOARD_LOCAL": ""})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
    except BaseException:
        _stop(proc)
        raise
    return proc, url


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="module")
def centre_db(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)")
    db = tmp_path_factory.mktemp("browser") / "qa.duckdb"
    with store.opened(db) as con:
        build_reviewed_centre(con, n=48, audio=str(shared_file("data", "audio", "pyannote_sample.wav")))
    return db


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _settle(page) -> None:
    """Wait until Streamlit has finished running the script (the status widget goes away)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    # on a loaded machine the script may not have started 500 ms after the load: wait for what
    # every page draws first (its title) or for an error, before waiting for the run to end
    page.wait_for_selector("h1, h2, [data-testid='stException']", timeout=90_000)
    page.wait_for_timeout(500)
    page.wait_for_function("!document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=60_000)
    page.wait_for_timeout(1500)


def _shots_dir(tmp_path: Path) -> Path:
    target = Path(os.environ.get("QA_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def _exceptions(page) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all("[data-testid='stException']")]


def test_every_page_renders_in_chromium(centre_db, browser, tmp_path):
    proc, url = _start(centre_db, "--local")
    shots = _shots_dir(tmp_path)
    try:
        page = browser.new_page(viewport={"width": 1440, "height": 2400})
        for title, path in PAGES.items():
            page.goto(f"{url}/{path}")
            _settle(page)
            page.screenshot(path=str(shots / f"{path}.png"), full_page=True)
            assert not _exceptions(page), f"{title}: {_exceptions(page)}"
            assert page.get_by_role("heading", name=title).count() >= 1, f"{title}: page title missing"
        # open a call from the queue: the detail view with player, transcript and findings
        page.goto(url)  # the root opens the first page of the role
        _settle(page)
        page.get_by_label("Open a call by id").fill("call-0000")
        page.keyboard.press("Enter")
        _settle(page)
        page.screenshot(path=str(shots / "review_queue_call.png"), full_page=True)
        assert not _exceptions(page)
        assert page.get_by_text("Rubric items").count() == 1
        assert page.locator("audio").count() == 1
    finally:
        _stop(proc)


def test_nothing_visible_before_sign_in(centre_db, browser, tmp_path):
    proc, url = _start(centre_db)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{url}/team_trends")
        _settle(page)
        page.screenshot(path=str(_shots_dir(tmp_path) / "sign_in.png"))
        assert page.get_by_role("heading", name="Review queue").count() == 0
        assert page.get_by_role("heading", name="Team trends").count() == 0
        assert page.get_by_text("call-0000").count() == 0
        page.get_by_label("User name").fill("qa1")
        page.get_by_role("textbox", name="Password").fill("secret-pass")
        page.get_by_role("button", name="Sign in").click()
        _settle(page)
        assert not _exceptions(page)
        assert page.get_by_role("heading", name="Team trends").count() == 1  # the page asked for
    finally:
        _stop(proc)


def _shot(page, path: Path) -> None:
    _settle(page)
    page.screenshot(path=str(path), full_page=True)


def _signed_in_as(page, title: str) -> bool:
    try:  # a busy machine can take a while to run the page after the status widget went
        page.get_by_role("heading", name=title).wait_for(timeout=30_000)
    except Exception:
        return False
    return page.get_by_label("User name").count() == 0


def _sign_in_form(page) -> bool:
    try:
        page.get_by_label("User name").wait_for(timeout=30_000)
    except Exception:
        return False
    return page.get_by_role("button", name="Sign out").count() == 0


def _sign_in(page, user: str = "qa1", password: str = "secret-pass") -> None:
    page.get_by_label("User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    _settle(page)


def test_reload_and_bookmark_keep_the_sign_in_until_sign_out(centre_db, browser, tmp_path):
    """A signed, expiring session cookie: reloading or opening a bookmark in a new tab stays
    signed in; a tampered cookie and a signed-out one bring the sign-in form back."""
    proc, url = _start(centre_db)
    shots = _shots_dir(tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{url}/team_trends")
        _settle(page)
        _sign_in(page)
        assert _signed_in_as(page, "Team trends"), page.inner_text("body")[:500]
        cookies = [c for c in context.cookies() if c["name"].startswith("qa_session_")]
        assert len(cookies) == 1 and cookies[0]["sameSite"] == "Strict" and cookies[0]["expires"] > time.time()
        assert "session" not in page.url  # the token is not in the address: a copied link does not carry it
        page.reload()
        _settle(page)
        assert _signed_in_as(page, "Team trends"), "a reload signed the user out"
        _shot(page, shots / "session_after_reload.png")
        bookmark = context.new_page()
        bookmark.goto(f"{url}/coaching_clips")
        _settle(bookmark)
        assert _signed_in_as(bookmark, "Coaching clips"), "opening a bookmark signed the user out"
        _shot(bookmark, shots / "session_bookmark.png")
        assert not _exceptions(bookmark)
        bookmark.close()

        genuine = cookies[0]
        name, mac = genuine["value"].rsplit(".", 1)
        forged = name.replace(name.split(".")[2], str(int(name.split(".")[2]) + 86400 * 30), 1) + "." + mac
        context.add_cookies([{**genuine, "value": forged}])
        page.reload()
        _settle(page)
        assert _sign_in_form(page), "a tampered cookie was accepted"
        _shot(page, shots / "session_tampered.png")
        assert page.get_by_text("Your session has ended").count() == 1

        _sign_in(page)
        assert _signed_in_as(page, "Team trends")
        signed = next(c for c in context.cookies() if c["name"] == genuine["name"])
        assert signed["value"] != forged
        page.get_by_role("button", name="Sign out").click()
        _settle(page)
        assert _sign_in_form(page)
        _shot(page, shots / "session_signed_out.png")
        assert not [c for c in context.cookies() if c["name"] == genuine["name"] and c["value"]]
        context.add_cookies([signed])  # a copy of the cookie kept from before signing out
        page.reload()
        _settle(page)
        assert _sign_in_form(page), "a signed-out session was accepted again"
        _shot(page, shots / "session_copy_after_sign_out.png")
    finally:
        context.close()
        _stop(proc)
