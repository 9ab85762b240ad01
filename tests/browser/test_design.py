"""The layout promises of issue 14: a short header, no sideways scrolling, a
reading measure, and labels that never leave one word alone on a line."""

import re

import pytest
from playwright.sync_api import expect

from tests.a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PUBLIC_PATHS = [
    "/",
    "/learn/",
    "/learn/what-is-ketamine/",
    "/locations/",
    "/consultation/",
]


def test_header_with_crisis_strip_takes_under_170_px_on_a_phone(page, live_url):
    page.set_viewport_size(PHONE)
    for path in PUBLIC_PATHS:
        page.goto(live_url + path)
        page.evaluate("document.fonts.ready.then(() => true)")
        bottom = page.locator("header.site-header").bounding_box()
        assert bottom["y"] + bottom["height"] < 170, path
        # Both ways to reach the clinic are on the first screen, one tap away.
        for link in [
            page.locator("header a[href^='tel:']"),
            page.get_by_role("link", name="Request a free consultation"),
        ]:
            box = link.bounding_box()
            assert box["y"] + box["height"] <= 170 and box["height"] >= 44, path


def test_the_spanish_header_also_takes_under_170_px_on_a_phone(page, live_url):
    # The Spanish crisis strip says more (press 2, the AYUDA keywords), so it
    # is the one most likely to push the header past a fifth of the screen.
    page.set_viewport_size(PHONE)
    for path in ["/es/", "/es/consultation/", "/es/learn/what-is-ketamine/"]:
        page.goto(live_url + path)
        page.evaluate("document.fonts.ready.then(() => true)")
        bottom = page.locator("header.site-header").bounding_box()
        assert bottom["y"] + bottom["height"] < 170, path
        assert "AYUDA" in page.locator(".crisis-strip").inner_text(), path


@pytest.mark.parametrize("width", [320, 390])
def test_no_page_scrolls_sideways_on_a_narrow_phone(page, live_url, width):
    page.set_viewport_size({"width": width, "height": 700})
    for path in PUBLIC_PATHS:
        page.goto(live_url + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, path


def _characters_per_line(page, selector):
    """The average length of the full lines (all but the last) of the longest
    paragraph, counted word by word from where the browser broke the lines."""
    return page.evaluate(
        """(selector) => {
          const p = [...document.querySelectorAll(selector)]
            .sort((a, b) => b.textContent.length - a.textContent.length)[0];
          const lines = new Map();
          const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const word of node.textContent.matchAll(/\\S+/g)) {
              const range = document.createRange();
              range.setStart(node, word.index);
              range.setEnd(node, word.index + word[0].length);
              const rect = range.getClientRects()[0];
              if (!rect) continue;
              const top = Math.round(rect.top / 4);
              lines.set(top, (lines.get(top) || 0) + word[0].length + 1);
            }
          }
          const full = [...lines.values()].slice(0, -1);
          return full.reduce((a, b) => a + b, 0) / full.length;
        }""",
        selector,
    )


@pytest.mark.parametrize("width", [768, 1280, 1920])
def test_reading_text_stays_within_60_to_75_characters(page, live_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_url + "/learn/what-is-ketamine/")
    page.evaluate("document.fonts.ready.then(() => true)")
    assert 60 <= _characters_per_line(page, ".article-body p") <= 75


LONE_WORDS = """() => [...document.querySelectorAll('.btn, .nav-cta')]
  .filter((button) => button.offsetParent)
  .filter((button) => {
    const tops = [];
    const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const rect = range.getClientRects()[0];
        if (rect) tops.push(Math.round(rect.top));
      }
    }
    const last = tops[tops.length - 1];
    return new Set(tops).size > 1 && tops.filter((top) => top === last).length === 1;
  })
  .map((button) => button.textContent.trim())"""


@pytest.mark.parametrize("width", [320, 390])
def test_button_labels_do_not_leave_a_lone_word(page, live_url, width):
    page.set_viewport_size({"width": width, "height": 700})
    for path in [
        "/",
        "/learn/what-is-ketamine/",
        "/locations/oakland/",
        "/consultation/",
    ]:
        page.goto(live_url + path)
        assert page.evaluate(LONE_WORDS) == [], path


def test_the_phone_button_label_is_the_full_name(page, live_url):
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/")
    cta = page.get_by_role("link", name="Request a free consultation")
    expect(cta).to_have_attribute("href", "/consultation/")
    expect(cta).to_have_text("Free consultation", use_inner_text=True)


def test_contents_list_sits_beside_a_long_article_on_desktop(page, live_url):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_url + "/learn/side-effects-and-safety/")
    contents = page.get_by_role("navigation", name="On this page")
    expect(contents).to_be_visible()
    nav, text = contents.bounding_box(), page.locator(".article-main").bounding_box()
    assert nav["x"] >= text["x"] + text["width"]
    assert nav["y"] < 800  # on the first screen
    contents.get_by_role("link", name="When to get help").click()
    expect(page).to_have_url(re.compile("#section-when-to-get-help$"))
    expect(page.get_by_role("heading", name="When to get help")).to_be_in_viewport()
    expect(contents).to_be_in_viewport()  # sticky while reading


def test_contents_list_comes_right_after_the_key_facts_on_a_phone(page, live_url):
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/learn/side-effects-and-safety/")
    facts = page.locator(".key-facts").bounding_box()
    nav = page.get_by_role("navigation", name="On this page").bounding_box()
    body = page.locator(".article-main").bounding_box()
    assert facts["y"] < nav["y"] < body["y"]


@pytest.mark.parametrize("width", [320, 390])
def test_no_footnote_marker_starts_a_line(page, live_url, width):
    page.set_viewport_size({"width": width, "height": 800})
    for slug in ["side-effects-and-safety", "research", "what-is-ketamine"]:
        page.goto(live_url + f"/learn/{slug}/")
        page.evaluate("document.fonts.ready.then(() => true)")
        alone = page.evaluate(
            """() => [...document.querySelectorAll('sup > a.footnote-ref')]
              .filter((a) => {
                const sup = a.parentElement;
                const before = document.createRange();
                before.setEndBefore(sup);
                before.setStart(sup.parentNode, 0);
                const rects = [...before.getClientRects()].filter((r) => r.width);
                if (!rects.length) return false;
                const last = rects[rects.length - 1];
                return sup.getBoundingClientRect().top > last.bottom - 2;
              }).map((a) => a.textContent)"""
        )
        assert alone == [], slug


def test_coming_soon_page_links_an_open_clinics_consultation(page, live_url):
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/locations/san-francisco/")
    offer = page.get_by_role("region", name="Want to talk sooner?")
    link = offer.get_by_role(
        "link", name="Request a free phone consultation at Oakland"
    )
    expect(link).to_have_attribute("href", "/consultation/?location=oakland")
    # Beside the waitlist, and before it on a phone, not under a long form.
    waitlist = page.get_by_role("button", name="Join the waitlist").bounding_box()
    assert link.bounding_box()["y"] < waitlist["y"]
    main = page.locator("main")
    expect(main.get_by_role("link", name="Get directions")).to_have_count(0)
    expect(main.locator("a[href='tel:+14155550130']")).to_have_count(0)
    link.click()
    expect(page.get_by_role("combobox", name=re.compile("clinic", re.I))).to_have_value(
        "oakland"
    )


AXE_PATHS = [
    "/",
    "/learn/",
    "/learn/side-effects-and-safety/",
    "/learn/cost-and-insurance/",
    "/locations/",
    "/locations/oakland/",
    "/locations/san-francisco/",
    "/consultation/",
]


@pytest.mark.parametrize(
    "viewport", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "desktop"]
)
def test_redesigned_pages_have_no_axe_violations(page, live_url, viewport):
    page.set_viewport_size(viewport)
    found = {}
    for path in AXE_PATHS:
        page.goto(live_url + path)
        page.evaluate("document.fonts.ready.then(() => true)")
        if violations := axe_violations(page):
            found[path] = violations
    assert found == {}
