import re

import pytest
from playwright.sync_api import expect

from consultations.models import REFERENCE_ALPHABET, ConsultationRequest
from tests.a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
REFERENCE = re.compile(f"[{REFERENCE_ALPHABET}]{{8}}")


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(monkeypatch):
    # The live server runs in this process, so this reaches it; the real
    # 3-second rule is covered by the unit tests.
    monkeypatch.setattr("core.protection.MIN_FILL_SECONDS", 0)


@pytest.fixture
def form_page(page, live_url):
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/consultation/")
    return page


def fill_required(page, *, clinic="oakland"):
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Alder")
    page.get_by_label("Phone number").fill("(503) 555-0187")
    page.get_by_label("Which clinic").select_option(clinic)
    page.get_by_role("checkbox", name=re.compile("^I agree")).check()


def self_harm_answer(page, answer):
    group = page.get_by_role("group", name=re.compile("thoughts of harming"))
    return group.get_by_label(answer, exact=True)


def send(page):
    page.get_by_role("button", name="Send my request").click()


def test_full_journey_on_a_phone_from_a_location_page(page, live_url):
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/locations/oakland/")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Request a free consultation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Request a free phone consultation"
    )
    zone = page.locator("#call-times-zone")
    expect(zone).to_have_text("(in the clinic's local time)")
    fill_required(page)
    expect(zone).to_have_text("(Pacific time)")
    page.get_by_label("Email address").fill("robin@patient.example")
    page.get_by_label("Text message").check()
    page.get_by_label("Morning").check()
    page.get_by_label("Spanish").check()
    page.get_by_label("What would you like to talk about?").select_option("ptsd")
    page.get_by_label("Anything else").fill("Evenings are best.")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    send(page)

    expect(page).to_have_url(live_url + "/consultation/thanks/")
    reference = page.locator("#reference").inner_text()
    assert REFERENCE.fullmatch(reference)
    expect(page.get_by_text("by the end of the business day on")).to_contain_text(
        "(Pacific time)"
    )
    expect(page.get_by_role("heading", name="What the call covers")).to_be_visible()
    consultation = ConsultationRequest.objects.get()
    assert consultation.reference == reference
    assert consultation.phone.as_e164 == "+15035550187"
    assert consultation.language == "es" and consultation.interest == "ptsd"
    assert consultation.source_page == "/locations/oakland/"
    assert not consultation.urgent


def test_urgent_answer_shows_crisis_help_at_once_and_after_sending(form_page, live_url):
    page = form_page
    panel = page.locator("#crisis-panel")
    expect(panel).to_be_hidden()
    self_harm_answer(page, "Yes").check()
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("988")
    expect(panel).to_contain_text("741741")
    expect(panel).to_contain_text("911")
    assert axe_violations(page) == []
    self_harm_answer(page, "No").check()
    expect(panel).to_be_hidden()
    self_harm_answer(page, "Yes").check()
    fill_required(page, clinic="portland")
    send(page)

    expect(page).to_have_url(live_url + "/consultation/thanks/")
    crisis = page.locator("main .crisis-panel")
    expect(crisis).to_be_visible()
    expect(crisis.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    expect(crisis).to_contain_text("Text HOME to 741741")
    assert ConsultationRequest.objects.get().urgent


def test_answers_given_before_the_deferred_script_runs_still_count(page, live_url):
    # On a slow phone (or a loaded CI machine) a patient can choose a clinic
    # and answer "yes" before form.js has run; the script must match what is
    # already chosen, not only react to later changes.
    page.set_viewport_size(PHONE)
    page.route("**/js/form*.js", lambda route: route.abort())
    page.goto(live_url + "/consultation/")
    script_url = page.locator("script[src*='/js/form']").get_attribute("src")
    page.get_by_label("Which clinic").select_option("oakland")
    self_harm_answer(page, "Yes").check()
    expect(page.locator("#crisis-panel")).to_be_hidden()  # no script yet

    page.unroute("**/js/form*.js")
    page.add_script_tag(url=live_url + script_url)
    expect(page.locator("#call-times-zone")).to_have_text("(Pacific time)")
    expect(page.locator("#crisis-panel")).to_be_visible()


def test_errors_take_focus_and_keep_what_was_typed(form_page):
    page = form_page
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Phone number").fill("12")
    page.get_by_label("Morning").check()
    self_harm_answer(page, "Yes").check()
    send(page)

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your last name.")
    expect(page).to_have_title(re.compile("^There is a problem"))
    expect(page.get_by_label("First name")).to_have_value("Robin")
    expect(page.get_by_label("Phone number")).to_have_value("12")
    expect(page.get_by_label("Morning")).to_be_checked()
    expect(page.locator("#crisis-panel")).to_be_visible()
    expect(page.get_by_label("Last name")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name="Enter your last name.").click()
    expect(page.get_by_label("Last name")).to_be_focused()
    assert axe_violations(page) == []
    assert ConsultationRequest.objects.count() == 0


def test_keyboard_only_completion(form_page, live_url):
    page = form_page
    visited = []

    def tab_to(selector, limit=40):
        for _ in range(limit):
            page.keyboard.press("Tab")
            visited.append(page.evaluate("document.activeElement.id"))
            if page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#id_first_name")
    page.keyboard.type("Robin")
    tab_to("#id_last_name")
    page.keyboard.type("Alder")
    tab_to("#id_phone")
    page.keyboard.type("503 555 0187")
    tab_to("#id_location")
    page.keyboard.press("ArrowDown")
    tab_to("#id_call_times_1")
    page.keyboard.press("Space")
    tab_to("#id_consent")
    page.keyboard.press("Space")
    tab_to("button[type=submit]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_url + "/consultation/thanks/")
    assert REFERENCE.fullmatch(page.locator("#reference").inner_text())
    consultation = ConsultationRequest.objects.get()
    assert consultation.location.slug == "oakland"
    assert consultation.call_times == ["afternoon"]
    assert "id_website" not in visited  # the honeypot is never in the tab order


def test_axe_finds_nothing_on_the_empty_form_and_the_thank_you_page(
    form_page, live_url
):
    page = form_page
    assert axe_violations(page) == []
    fill_required(page)
    send(page)
    expect(page).to_have_url(live_url + "/consultation/thanks/")
    assert axe_violations(page) == []


def test_without_javascript_the_form_still_works_and_crisis_help_follows(
    browser, live_url
):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_url + "/consultation/")
        self_harm_answer(page, "Yes").check()
        expect(page.locator("#crisis-panel")).to_be_hidden()  # needs the script
        send(page)
        # The skip link leads straight to it: it is the first thing in <main>.
        expect(page.locator("#error-summary")).to_contain_text("Enter your first name.")
        first = page.evaluate(
            "document.querySelector('#main-content .col-lg-8').firstElementChild.id"
        )
        assert first == "error-summary"
        expect(page.locator("#crisis-panel")).to_be_visible()  # rendered by the server
        fill_required(page)
        send(page)
        expect(page).to_have_url(live_url + "/consultation/thanks/")
        expect(page.locator("main .crisis-panel")).to_contain_text("741741")
        assert ConsultationRequest.objects.get().urgent
    finally:
        context.close()
