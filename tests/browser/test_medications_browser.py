"""The demo patient keeps her medicine list by keyboard and sees the findings at once."""

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, seed_accounts
from medications import demo as medications_demo
from medications.models import MedicationCourse


def _csp_watch(page) -> list:
    violations: list = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def test_patient_adds_a_medicine_and_sees_the_findings(
    page, live_server, login, transactional_db, shot_dir
):
    users = seed_accounts()
    medications_demo.seed(users=users, today=timezone.localdate())
    patient = users["patient"]
    csp_violations = _csp_watch(page)

    login(page, patient.email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/patient/medications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your medicines")
    findings = page.locator(".findings")
    expect(findings).to_contain_text("Duloxetine and tramadol both raise serotonin")
    expect(findings).to_contain_text("Talk to your clinician before taking these together.")

    # The type-ahead tells whether a name can be checked before the form is sent.
    add_form = page.get_by_role("region", name="Add a medicine")
    name = add_form.get_by_label("Medicine, supplement or other drug")
    name.focus()
    page.keyboard.type("turmeric")
    expect(page.locator("#drug-match")).to_have_text(
        "Not recognised, so it cannot be checked. You can still add it."
    )
    # Strengths, forms, release suffixes and salts are stripped as on the server.
    name.fill("")
    page.keyboard.type("Effexor XR 75 mg capsules")
    expect(page.locator("#drug-match")).to_contain_text("Recognised: venlafaxine")
    name.fill("")
    page.keyboard.type("pethidine hydrochloride")
    expect(page.locator("#drug-match")).to_contain_text("Recognised: meperidine")
    # Combination products and route-named entries, as on the server.
    name.fill("")
    page.keyboard.type("Claritin-D 12 hour")
    expect(page.locator("#drug-match")).to_contain_text("Recognised: loratadine/pseudoephedrine")
    name.fill("")
    page.keyboard.type("selegiline HCl oral 5 mg")
    expect(page.locator("#drug-match")).to_contain_text("Recognised: selegiline oral")
    name.fill("")
    page.keyboard.type("Tylenol #3")
    expect(page.locator("#drug-match")).to_contain_text("Recognised: acetaminophen/codeine")
    name.fill("")
    page.keyboard.type("St. Johns Wort")
    expect(page.locator("#drug-match")).to_contain_text("Recognised: st john's wort")

    page.keyboard.press("Tab")  # dose
    page.keyboard.type("300")
    add_form.get_by_label("Unit").select_option("mg")
    add_form.get_by_label("How often").select_option("daily")
    add_form.get_by_role("button", name="Add medicine").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    expect(page.get_by_text("Added St. Johns Wort.")).to_be_visible()
    expect(findings).to_contain_text("Duloxetine and St John's wort both raise serotonin")
    course = MedicationCourse.objects.get(patient=patient, name="St. Johns Wort")
    assert course.drug.name == "st john's wort"
    page.screenshot(path=str(shot_dir / "medicines.png"), full_page=True)

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    assert csp_violations == []


def test_medicines_page_fits_a_small_phone(page, live_server, login, transactional_db, shot_dir):
    users = seed_accounts()
    medications_demo.seed(users=users, today=timezone.localdate())
    page.set_viewport_size({"width": 360, "height": 800})
    login(page, users["patient"].email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/patient/medications/")

    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    heights = page.eval_on_selector_all(
        "main .button, main input, main select, main summary",
        "els => els.filter(el => el.offsetParent !== null)"
        ".map(el => el.getBoundingClientRect().height)",
    )
    assert heights and min(heights) >= 44, heights
    page.get_by_text("Change dose").first.click()
    expect(page.get_by_label("New dose").first).to_be_visible()
    page.screenshot(path=str(shot_dir / "medicines-360.png"), full_page=True)


def test_v2_findings_and_a_combination_product_at_360_px(
    page, live_server, login, transactional_db, shot_dir
):
    """A minor finding, a blood-pressure risk and a combination product read plainly on a
    small phone, with no serious accessibility violation."""
    from datetime import timedelta

    from medications.catalog import catalog_load, drug_search_keys
    from medications.models import Drug
    from medications.services import medication_course_create

    users = seed_accounts()
    if not Drug.objects.exists():
        catalog_load(Drug)
    patient = users["patient"]
    product = Drug.objects.create(
        name="testracet product",
        brand_names=["Testracet"],
        search_keys=drug_search_keys("testracet product", ["Testracet"]),
    )
    product.ingredients.set(Drug.objects.filter(name__in=["tramadol", "acetaminophen"]))
    Drug.objects.create(
        name="testephedrine",
        classes=["decongestant"],
        search_keys=drug_search_keys("testephedrine", []),
    )
    start = timezone.localdate() - timedelta(days=10)
    for name in ("Testracet", "cyclobenzaprine", "Imitrex", "Nardil", "testephedrine"):
        medication_course_create(patient=patient, drug=name, started_on=start)

    page.set_viewport_size({"width": 360, "height": 800})
    login(page, patient.email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/patient/medications/")

    findings = page.locator(".findings")
    expect(findings).to_contain_text("Blood pressure risk")
    expect(findings).to_contain_text("worth mentioning to your clinician")
    expect(findings).to_contain_text("can raise your blood pressure to a dangerous level")
    expect(page.locator("#course-" + str(patient.medication_courses.get(name="Testracet").pk)))\
        .to_contain_text("Testracet contains tramadol and acetaminophen")  # fmt: skip
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    page.screenshot(path=str(shot_dir / "medicines-v2-360.png"), full_page=True)

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
