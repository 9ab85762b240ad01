import pytest
from playwright.sync_api import expect

from tests.a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_home_page_shell_on_phone_and_desktop(page, live_url, viewport):
    page.set_viewport_size(viewport)
    page.goto(live_url + "/")

    strip = page.get_by_role("complementary", name="Crisis help")
    expect(strip).to_contain_text("988")
    expect(strip).to_contain_text("911")
    expect(strip.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")

    nav = page.get_by_role("navigation", name="Main")
    for name, href in [
        ("Learn", "/learn/"),
        ("Locations", "/locations/"),
        ("Request a free consultation", "/consultation/"),
    ]:
        expect(nav.get_by_role("link", name=name)).to_have_attribute("href", href)

    header_phone = page.locator("header a[href^='tel:']")
    expect(header_phone).to_have_attribute("href", "tel:+15105550100")
    assert axe_violations(page) == []


def test_skip_link_moves_focus_to_main_content(page, live_url):
    page.goto(live_url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_pages_make_no_request_to_another_host(page, live_url):
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    for path in ["/", "/learn/", "/locations/"]:
        page.goto(live_url + path)
    assert hosts == {live_url.split("/")[2]}
