"""Accessibility of the main pages at 360 px: axe-core (no serious or critical violations),
a keyboard-only walk (Tab reaches every interactive control), 44 px targets, no CSP errors.

The counts of every axe violation (any impact) are printed for the issue note.
"""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User

WIDTH = 360
PUBLIC_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/signup/patient/",
    "/accounts/signup/clinician/",
    "/accounts/password-reset/",
    "/accounts/signup/check-email/",
]
PATIENT_PAGES = [
    "/patient/",
    "/patient/checkin/",
    "/patient/history/",
    "/patient/medications/",
    "/patient/questionnaires/phq9/",
    "/patient/sharing/",
    "/account/",
]
CLINICIAN_PAGES = [
    "/clinician/",
    "/clinician/patients/{patient_id}/",
    "/clinician/alerts/",
    "/accounts/mfa/",
    "/account/",
]

# Marks each focusable control, so the walk can tell which ones Tab reached.
MARK_FOCUSABLES = """() => {
  const selector = 'a[href], button, input, select, textarea, summary, [tabindex]';
  const visible = el => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
      && style.display !== 'none';
  };
  const all = Array.from(document.querySelectorAll(selector)).filter(el =>
    !el.disabled && el.tabIndex >= 0 && el.type !== 'hidden' && !el.closest('[inert]')
    // inside a closed <details> a control is reached by opening its summary first (a summary
    // shows with its own <details>, unless that sits in another closed one)
    && !((el.tagName === 'SUMMARY' ? el.parentElement.parentElement : el)
         .closest('details:not([open])'))
    && (visible(el) || el.classList.contains('skip-link')));
  return all.map((el, i) => {
    el.dataset.kbd = String(i);
    const group = el.type === 'radio' ? 'radio:' + el.name : '';
    const label = (el.getAttribute('aria-label') || el.innerText || el.value || el.name
      || el.id || el.tagName).trim().slice(0, 40);
    return {i, tag: el.tagName.toLowerCase(), type: el.type || '', group, label};
  });
}"""
ACTIVE = "() => (document.activeElement && document.activeElement.dataset.kbd) || null"
# Buttons and form fields (not inline text links, WCAG 2.5.8's exception) at least 44 px high.
SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'button, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, .button'))
  .filter(el => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0; })
  .filter(el => el.getBoundingClientRect().height < 43.5)
  .map(el => (el.outerHTML || '').slice(0, 80))"""


def keyboard_walk(page) -> list[str]:
    """Tab from the top of the page; the labels of controls Tab never reached."""
    controls = page.evaluate(MARK_FOCUSABLES)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.locator("body").focus()
    reached = set()
    # Chromium also stops on scrollable regions, which are not in the list: allow extra presses,
    # and stop once focus has come round to the first control again.
    first = None
    for _ in range(2 * len(controls) + 30):
        page.keyboard.press("Tab")
        current = page.evaluate(ACTIVE)
        if current is None:
            continue
        if first is None:
            first = current
        elif current == first and len(reached) > 1:
            break
        reached.add(int(current))
    groups_reached = {c["group"] for c in controls if c["i"] in reached and c["group"]}
    return [
        f"{c['tag']}[{c['type']}] {c['label']}"
        for c in controls
        if c["i"] not in reached and not (c["group"] and c["group"] in groups_reached)
    ]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)
    return {
        "patient": User.objects.get(email="patient@example.org"),
        "clinician": User.objects.get(email="clinician@example.org"),
    }


def audit_pages(page, base, urls, report):
    axe = Axe()
    problems = {}
    csp_errors = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    for url in urls:
        response = page.goto(f"{base}{url}")
        assert response.status < 400, f"{url}: {response.status}"
        page.wait_for_load_state("networkidle")
        violations = axe.run(page).response["violations"]
        for violation in violations:
            key = f"{violation['impact']}:{violation['id']}"
            report[key] = report.get(key, 0) + len(violation["nodes"])
        serious = [
            (
                v["id"],
                [node["target"] for node in v["nodes"]][:3],
                (v["nodes"][0].get("failureSummary") or "")[:300] if v["nodes"] else "",
            )
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        missed = keyboard_walk(page)
        small = page.evaluate(SMALL_TARGETS)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth > window.innerWidth + 1"
        )
        found = {}
        if serious:
            found["axe"] = serious
        if missed:
            found["not reached by Tab"] = missed[:10]
        if small:
            found["targets under 44px"] = small[:5]
        if overflow:
            found["horizontal scrolling at 360px"] = True
        if found:
            problems[url] = found
    if csp_errors:
        problems["CSP"] = csp_errors[:5]
    return problems


def print_report(request, who, pages, report):
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        summary = ", ".join(f"{k} x{n}" for k, n in sorted(report.items())) or "none"
        reporter.write_line(f"axe {who}: {len(pages)} pages at {WIDTH}px; violations: {summary}")


def test_public_pages_are_accessible(page, live_server, transactional_db, request):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    report: dict = {}
    problems = audit_pages(page, live_server.url, PUBLIC_PAGES, report)
    print_report(request, "public", PUBLIC_PAGES, report)
    assert problems == {}, json.dumps(problems, indent=1)


def test_patient_pages_are_accessible(page, live_server, login, demo, request):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    login(page, demo["patient"].email, DEMO_PASSWORD)
    report: dict = {}
    problems = audit_pages(page, live_server.url, PATIENT_PAGES, report)
    print_report(request, "patient", PATIENT_PAGES, report)
    assert problems == {}, json.dumps(problems, indent=1)


def test_clinician_pages_are_accessible(page, live_server, login, demo, request):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    login(page, demo["clinician"].email, DEMO_PASSWORD)
    urls = [u.format(patient_id=demo["patient"].pk) for u in CLINICIAN_PAGES]
    report: dict = {}
    problems = audit_pages(page, live_server.url, urls, report)
    print_report(request, "clinician", urls, report)
    assert problems == {}, json.dumps(problems, indent=1)


def test_spanish_pages_are_accessible_and_fit_360px(page, live_server, login, demo, request):
    """Issue 15: the longer Spanish strings still fit one phone width; lang="es" for axe."""
    from accounts.models import NotificationPreference

    page.set_viewport_size({"width": WIDTH, "height": 800})
    page.set_extra_http_headers({"Accept-Language": "es-MX,es;q=0.9"})
    report: dict = {}
    problems = audit_pages(page, live_server.url, PUBLIC_PAGES[:3], report)
    assert page.evaluate("() => document.documentElement.lang") == "es"
    NotificationPreference.objects.update_or_create(
        user=demo["patient"], defaults={"language": "es"}
    )
    # The sign-in helper finds the English labels; once signed in the saved language wins.
    page.set_extra_http_headers({"Accept-Language": "en"})
    login(page, demo["patient"].email, DEMO_PASSWORD)
    urls = [
        *PATIENT_PAGES,
        "/patient/questionnaires/fiqr/",
        "/patient/questionnaires/acr2016/",
        "/patient/report/",
    ]
    problems.update(audit_pages(page, live_server.url, urls, report))
    assert page.evaluate("() => document.documentElement.lang") == "es"
    assert "Cerrar sesión" in page.content()
    print_report(request, "patient (es)", urls, report)
    assert problems == {}, json.dumps(problems, indent=1)
