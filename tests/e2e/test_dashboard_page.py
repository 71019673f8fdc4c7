"""The `/dashboard` page in headless Chromium (Debian's chromium + chromium-driver) against the
running stack: key into sessionStorage, filter the list, open a job, watch it complete live.
A screenshot is kept in the test run directory (JOBSTREAM_DASHBOARD_SCREENSHOT: also there)."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.e2e.conftest import RunningStack
from tests.e2e.test_jobs_api import NOOP, create

pytestmark = pytest.mark.e2e
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")  # fmt: skip


@pytest.fixture(scope="module")
def browser(test_run_dir: Path) -> Iterator[WebDriver]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.fail("chromium/chromedriver missing: run deploy/local/provision-ops.sh chromium")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={test_run_dir / 'chromium-profile'}",
                 "--window-size=1400,900"):  # fmt: skip
        options.add_argument(flag)
    session = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    try:
        yield session
    finally:
        session.quit()


async def until(check: object, *, what: str, timeout: float = 30) -> None:
    """Poll a no-argument callable returning truthy (browser calls run in a thread)."""
    deadline = time.monotonic() + timeout

    def safe() -> object:
        try:
            return check()  # type: ignore[operator]
        except (StaleElementReferenceException, NoSuchElementException):
            return False  # not drawn yet, or redrawn meanwhile: look again

    while not await asyncio.to_thread(safe):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.1)


async def test_filter_open_a_job_and_see_it_complete_live(
    noop_worker: RunningStack, browser: WebDriver, test_run_dir: Path
) -> None:
    stack = noop_worker
    worker = stack.noop_worker(1)
    stack.stop(worker.name)  # the job waits in `queued` until the page shows it (no race)
    async with stack.client() as client:
        slow = await create(client, NOOP, {"sleep_seconds": 1}, metadata={"page": "dash"})
        other = await create(client, "/v1/documents/parse",
                             {"document": {"filename": "p.txt", "url": "data:text/plain,x"}})  # fmt: skip
    await asyncio.to_thread(browser.get, f"{stack.url}/dashboard")
    browser.find_element(By.ID, "api-key").send_keys(stack.keys["org_a"])
    browser.find_element(By.ID, "save-key").click()
    stored = browser.execute_script("return sessionStorage.getItem('jobstream.apiKey')")
    assert stored == stack.keys["org_a"]
    assert "jobstream.apiKey" not in browser.execute_script("return document.cookie")

    def rows() -> list[str]:
        return [r.get_attribute("data-id") or "" for r in
                browser.find_elements(By.CSS_SELECTOR, "#jobs tbody tr")]  # fmt: skip

    await until(lambda: other["id"] in rows(), what="the unfiltered list")
    browser.find_element(By.ID, "endpoint-filter").send_keys(NOOP)
    browser.find_element(By.ID, "metadata-filter").send_keys('{"page":"dash"}')
    browser.find_element(By.ID, "apply").click()
    await until(lambda: rows() == [slow["id"]], what="the filtered list to hold the noop job only")
    await until(lambda: browser.find_elements(By.CSS_SELECTOR, "[data-count='status:queued'],"
                "[data-count='status:in_progress'],[data-count='status:completed']"),
                what="the counts")  # fmt: skip
    browser.find_element(By.CSS_SELECTOR, f"tr[data-id='{slow['id']}']").click()
    await until(lambda: browser.find_element(By.ID, "detail-status").text in
                {"queued", "in_progress"}, what="the detail of the waiting job")  # fmt: skip
    # No reload from here on: the page follows the job by itself once a worker takes it.
    await stack.start_and_wait([worker])
    await until(lambda: browser.find_element(By.ID, "detail-status").text == "completed",
                what="the job to complete on the page", timeout=60)  # fmt: skip
    events = browser.execute_script(
        "return [...document.querySelectorAll('#events li')].map((e) => e.textContent)"
    )
    assert any("completed" in e for e in events), events
    row_status = browser.execute_script(
        "return document.querySelector(`tr[data-id='${arguments[0]}'] td:nth-child(3)`)"
        ".textContent", slow["id"],
    )  # fmt: skip
    assert row_status == "completed"
    # Opened again, finished: its history, replayed from the event stream, in order.
    browser.find_element(By.CSS_SELECTOR, f"tr[data-id='{slow['id']}']").click()

    def history() -> list[str]:
        texts = browser.execute_script(
            "return [...document.querySelectorAll('#events li')].map((e) => e.textContent)"
        )
        return [text.split()[-1] for text in texts]

    await until(lambda: history() == ["job.created", "job.started", "job.completed"],
                what="the finished job's events replayed")  # fmt: skip
    shot = test_run_dir / "dashboard.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    keep = os.environ.get("JOBSTREAM_DASHBOARD_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
