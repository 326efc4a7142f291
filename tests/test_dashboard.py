"""The dashboard page in a real headless Chromium (Debian's chromium + chromium-driver through
selenium), against a real uvicorn serving the app on the test database.

Screenshots are kept in test-artifacts/ (dashboard.png, dashboard-empty.png).
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from app.analytics.tasks import update_campaign_analytics
from app.campaigns.models import Campaign
from app.core.db import utcnow
from app.messaging.models import Message
from tests.support.factories import make_contact, make_sender
from tests.support.procs import HOST, child, free_port, healthy, wait_for

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1400,1900",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    import os

    port = free_port()
    log = tmp_path_factory.mktemp("dash") / "uvicorn.log"
    cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", HOST, "--port", str(port)]
    env = {**os.environ, "LOG_LEVEL": "INFO"}
    with child(cmd, env, ROOT, log) as proc:
        base = f"http://{HOST}:{port}"
        wait_for(lambda: healthy(base), 60, "uvicorn", log, proc)
        yield base, log


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, DRIVER):
        assert shutil.which(path), f"{path} missing: apt-get install chromium chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _until(driver, condition, timeout=20, what="condition"):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d), message=what)


def _sign_in(driver, base, key):
    from selenium.webdriver.common.by import By

    driver.get(base + "/")
    _until(driver, lambda d: d.find_element(By.ID, "signin").is_displayed(), what="sign-in form")
    driver.find_element(By.ID, "api-key").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, "#signin-form button[type=submit]").click()
    _until(driver, lambda d: d.execute_script("return document.body.dataset.ready === '1'"))


def _kpi(driver, name):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'[data-kpi="{name}"] .value').text


def _seed(db, ws_id):
    """A running campaign of 40 (20 still queued), a finished one, replies and a hot lead."""
    sender = make_sender(
        db,
        ws_id,
        "pn-dash",
        name="Main number",
        display_phone="+14155550000",
        warmup_started_on=utcnow().date() - timedelta(days=4),
    )
    running = Campaign(
        workspace_id=ws_id, sender_id=sender.id, name="Spring sale", status="running"
    )
    done = Campaign(workspace_id=ws_id, sender_id=sender.id, name="Welcome", status="completed")
    db.add_all([running, done])
    db.commit()
    now = utcnow()
    plan = ["read"] * 9 + ["delivered"] * 7 + ["failed"] * 2 + ["skipped"] * 2 + ["queued"] * 20
    for camp, statuses in ((running, plan), (done, ["read"] * 12 + ["delivered"] * 8)):
        for i, status in enumerate(statuses):
            contact = make_contact(db, ws_id, f"+1415{camp.id:03d}{i:04d}", name=f"Customer {i}")
            days_ago = i % 6
            at = now - timedelta(days=days_ago, hours=1)
            db.add(
                Message(
                    workspace_id=ws_id,
                    contact_id=contact.id,
                    sender_id=sender.id,
                    campaign_id=camp.id,
                    step_index=0,
                    direction="outbound",
                    status=status,
                    body="Hi",
                    skip_reason="outside_service_window" if status == "skipped" else None,
                    error_code="131026" if status == "failed" else None,
                    sent_at=at if status in ("read", "delivered") else None,
                    delivered_at=at if status in ("read", "delivered") else None,
                    read_at=at + timedelta(minutes=5) if status == "read" else None,
                    failed_at=at if status == "failed" else None,
                    replied_at=at + timedelta(minutes=20)
                    if status == "read" and i % 3 == 0
                    else None,
                    created_at=at - timedelta(minutes=1),
                )
            )
            if i == 0:
                contact.lead_score, contact.lead_tier = 88, "hot"
    db.commit()
    update_campaign_analytics()
    return running


def test_dashboard_shows_the_api_figures_and_live_progress(server, browser, db, workspace):
    from selenium.webdriver.common.by import By

    base, log = server
    running = _seed(db, workspace.id)
    api = httpx.get(f"{base}/api/v1/analytics/dashboard", headers=workspace.headers).json()
    _sign_in(browser, base, workspace.api_key)

    assert _kpi(browser, "total_messages_sent") == f"{api['total_messages_sent']:,}"
    assert _kpi(browser, "delivery_rate") == f"{round(api['delivery_rate'], 1):g}%"
    assert _kpi(browser, "response_rate") == f"{round(api['response_rate'], 1):g}%"
    assert _kpi(browser, "active_campaigns") == "1"
    # The review inbox count is the inbox API's own total.
    inbox = httpx.get(f"{base}/api/v1/inbox?limit=1", headers=workspace.headers).json()
    assert _kpi(browser, "review_inbox") == f"{inbox['total']:,}"
    rows = browser.find_elements(By.CSS_SELECTOR, "#campaigns tbody tr")
    assert [r.find_element(By.TAG_NAME, "td").text for r in rows] == ["Welcome", "Spring sale"]
    leads = browser.find_element(By.ID, "leads").text
    assert "Customer 0" in leads and "88" in leads
    assert "day 5 of 14" in browser.find_element(By.ID, "senders").text  # warm-up progress
    assert (
        browser.execute_script(
            "return document.querySelectorAll('#timeline-chart .main-svg').length"
        )
        > 0
    )
    assert (
        browser.execute_script("return document.querySelectorAll('#funnel-chart .main-svg').length")
        > 0
    )

    live = f'#running [data-running="{running.id}"] .pct'
    assert browser.find_element(By.CSS_SELECTOR, live).text == "50%"
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "dashboard.png"))

    # The campaign moves on while the page is open: no reload, the bar follows.
    browser.execute_script("window.__notReloaded = true")
    db.execute(
        update(Message)
        .where(Message.campaign_id == running.id, Message.status == "queued")
        .values(status="sent", sent_at=utcnow())
    )
    db.commit()
    _until(
        browser, lambda d: d.find_element(By.CSS_SELECTOR, live).text == "100%", what="live 100%"
    )
    assert browser.execute_script("return window.__notReloaded === true")
    table_pct = f'#campaigns [data-progress="{running.id}"] .pct'
    assert browser.find_element(By.CSS_SELECTOR, table_pct).text == "100%"

    # The key lives in this tab's sessionStorage only: not in the URL, cookies or the logs.
    assert workspace.api_key not in browser.current_url
    assert (
        browser.execute_script("return sessionStorage.getItem('swa_api_key')") == workspace.api_key
    )
    assert browser.execute_script("return localStorage.length") == 0
    assert browser.get_cookies() == []
    time.sleep(0.2)
    assert workspace.api_key not in log.read_text(errors="replace")
    assert "GET /api/v1/analytics/live" in log.read_text(errors="replace")


def test_dashboard_refuses_without_a_valid_key(server, browser, db, workspace):
    from selenium.webdriver.common.by import By

    base, _ = server
    browser.get(base + "/dashboard")
    _until(browser, lambda d: d.find_element(By.ID, "signin").is_displayed(), what="sign-in")
    assert not browser.find_element(By.ID, "app").is_displayed()
    assert httpx.get(f"{base}/api/v1/analytics/dashboard").status_code == 401
    browser.find_element(By.ID, "api-key").send_keys("swa_not_a_real_key_0000000000000")
    browser.find_element(By.CSS_SELECTOR, "#signin-form button[type=submit]").click()
    error = browser.find_element(By.ID, "signin-error")
    _until(browser, lambda d: error.is_displayed(), what="refusal message")
    assert "refused" in error.text
    assert not browser.find_element(By.ID, "app").is_displayed()
    assert browser.execute_script("return sessionStorage.getItem('swa_api_key')") is None


def test_fresh_install_shows_a_helpful_empty_state(server, browser, workspace):
    from selenium.webdriver.common.by import By

    base, _ = server
    _sign_in(browser, base, workspace.api_key)
    assert browser.find_element(By.ID, "empty").is_displayed()
    assert _kpi(browser, "total_messages_sent") == "0"
    assert "No campaigns yet" in browser.find_element(By.ID, "campaigns").text
    assert "No sender number yet" in browser.find_element(By.ID, "senders").text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "dashboard-empty.png"))


def test_page_and_chart_library_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "https://" not in page.text  # no CDN
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    js = client.get("/dashboard/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert client.get("/dashboard/static/dashboard.js").status_code == 200
    assert client.get("/dashboard/static/../../core/config.py").status_code == 404


def test_printable_daily_report_draws_its_chart(server, browser, db, workspace):
    """The page's "Daily report" path: generate now, fetch the HTML with the key, show it."""
    from selenium.webdriver.common.by import By

    base, _ = server
    _seed(db, workspace.id)
    _sign_in(browser, base, workspace.api_key)
    browser.execute_script(
        """
        const auth = {Authorization: "Bearer " + sessionStorage.getItem("swa_api_key")};
        fetch("/api/v1/analytics/daily-reports", {method: "POST", headers: {...auth,
              "Content-Type": "application/json"}, body: "{}"})
          .then(r => r.json())
          .then(made => fetch(`/api/v1/analytics/daily-reports/${made.report_date}?format=html`,
                              {headers: auth}))
          .then(r => r.text())
          .then(html => { document.open(); document.write(html); document.close(); });
        """
    )
    _until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#hourly .main-svg"), 30, "chart")
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "Daily report" in text and "Messages sent" in text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "daily-report.png"))
