import pytest
from playwright.sync_api import expect

from pages.models import Article
from tests.a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATIC_PAGES = [
    "/",
    "/learn/",
    "/our-approach/",
    "/privacy/",
    "/accessibility/",
    "/editorial-policy/",
    "/medical-disclaimer/",
]


def test_axe_finds_no_violations_on_any_content_page(page, live_url):
    paths = STATIC_PAGES + [a.get_absolute_url() for a in Article.objects.published()]
    assert len(paths) >= 17
    failures = {}
    for path in paths:
        page.goto(live_url + path)
        expect(page.get_by_role("complementary", name="Crisis help")).to_be_visible()
        violations = axe_violations(page)
        if violations:
            failures[path] = violations
    assert failures == {}


def test_footnote_jumps_to_its_numbered_reference(page, live_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_url + "/learn/how-ketamine-works/")
    page.locator("a.footnote-ref").first.click()
    assert page.url.endswith("#ref-1")
    expect(page.locator("#ref-1")).to_be_in_viewport()
    expect(page.locator("#ref-1 .evidence-type")).not_to_be_empty()
