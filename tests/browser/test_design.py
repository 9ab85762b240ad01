"""The layout promises of issue 14: a short header, no sideways scrolling, a
reading measure, and labels that never leave one word alone on a line."""

import pytest
from playwright.sync_api import expect

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
