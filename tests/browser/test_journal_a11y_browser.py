"""axe-core finds no serious or critical accessibility problems on the journal pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_accounts
from journal import demo as journal_demo

PAGES = [
    "/patient/",
    "/patient/checkin/",
    "/patient/history/?days=90",
    "/patient/questionnaires/phq9/",
    "/patient/questionnaires/fiqr/",
    "/patient/questionnaires/acr2016/",
]


@pytest.mark.parametrize("width", [360, 1200])
def test_journal_pages_pass_axe(page, live_server, login, transactional_db, width):
    users = seed_accounts()
    journal_demo.seed(users=users, today=timezone.localdate())
    page.set_viewport_size({"width": width, "height": 900})
    login(page, users["patient"].email, DEMO_PASSWORD)
    axe = Axe()
    problems = {}
    for url in PAGES:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        violations = axe.run(page).response["violations"]
        serious = [
            (v["id"], [node["target"] for node in v["nodes"]][:3])
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[url] = serious
    assert problems == {}
