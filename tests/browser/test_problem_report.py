"""Report a problem in a real browser: it works with JavaScript switched off,
and its pages pass axe."""

import pytest
from playwright.sync_api import expect

from pages.models import ProblemReport
from tests.a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTICLE = "/learn/side-effects-and-safety/"


def test_a_report_can_be_sent_without_javascript_on_a_phone(browser, live_url):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(live_url + ARTICLE)
    form = page.locator("#report")
    expect(form.get_by_role("heading")).to_have_text(
        "Is something wrong or unclear on this page?"
    )
    form.get_by_role("button", name="Send report").click()
    # Nothing chosen: the form's own page says what is missing.
    expect(page.locator("#error-summary")).to_contain_text(
        "Choose what the problem is."
    )
    page.wait_for_timeout(3200)  # the fresh form's timing token
    page.get_by_label("Something is hard to understand").check()
    page.get_by_label("What should we look at? (optional)").fill("The table is long.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you. Your report has reached our content team."
    )
    report = ProblemReport.objects.get()
    assert (report.reason, report.details) == ("unclear", "The table is long.")
    context.close()


def test_axe_finds_no_violations_on_the_report_pages(page, live_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_url + ARTICLE.rstrip("/") + "/report/")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(live_url + ARTICLE.rstrip("/") + "/report/thanks/")
    assert axe_violations(page) == []
