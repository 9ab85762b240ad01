"""Shared pieces for the hostile-input tests: payloads, submitters, an XSS detector."""

import time
from html.parser import HTMLParser

from core.protection import make_form_token

# Fifty ways to try to run script from a stored value. Each carries alert(N),
# so a hit names its payload.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(2)</ScRiPt>",
    '"><script>alert(3)</script>',
    "'><script>alert(4)</script>",
    "<img src=x onerror=alert(5)>",
    '"><img src=x onerror=alert(6)>',
    "<svg onload=alert(7)>",
    "<svg><script>alert(8)</script></svg>",
    "<body onload=alert(9)>",
    '<iframe src="javascript:alert(10)"></iframe>',
    "javascript:alert(11)",
    "JaVaScRiPt:alert(12)",
    '<a href="javascript:alert(13)">x</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(14)>",
    "</textarea><script>alert(15)</script>",
    "</title><script>alert(16)</script>",
    "<style>@import'javascript:alert(17)'</style>",
    "<input autofocus onfocus=alert(18)>",
    "<details open ontoggle=alert(19)>",
    "<video><source onerror=alert(20)></video>",
    '<object data="javascript:alert(21)">',
    '<embed src="javascript:alert(22)">',
    '<form action="javascript:alert(23)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(24)">',
    '<base href="javascript:alert(25)//">',
    "{{ 26|safe }}<script>alert(26)</script>",
    "{% autoescape off %}<script>alert(27)</script>{% endautoescape %}",
    "${alert(28)}<img src=x onerror=alert(28)>",
    "<scr<script>ipt>alert(29)</scr</script>ipt>",
    "&lt;script&gt;alert(30)&lt;/script&gt;",
    '<img src="x" onerror="&#97;lert(31)">',
    "<svg/onload=alert(32)>",
    "<body/onpageshow=alert(33)>",
    '" onmouseover="alert(34)',
    "' onmouseover='alert(35)",
    '<div style="background:url(javascript:alert(36))">',
    '<link rel=stylesheet href="javascript:alert(37)">',
    "<marquee onstart=alert(38)>",
    "<isindex action=javascript:alert(39) type=image>",
    "<x onclick=alert(40)>click",
    "\\u003cscript\\u003ealert(41)\\u003c/script\\u003e",
    "</script><script>alert(42)</script>",
    '<!--<img src="--><img src=x onerror=alert(43)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(44)>">',
    '<a href="&#106;avascript:alert(45)">x</a>',
    "data:text/html,<script>alert(46)</script>",
    '<svg><a xlink:href="javascript:alert(47)"><text>x</text></a></svg>',
    "<keygen autofocus onfocus=alert(48)>",
    "%3Cscript%3Ealert(49)%3C/script%3E",
    "<template><script>alert(50)</script></template>",
]
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "content",
}
# In a text part nothing runs, but these only survive if nothing escaped them.
RAW_MARKERS = ("<script", "<img", "<svg", "<iframe", "<body", "<a href=")


class _LiveScript(HTMLParser):
    """Finds payload code that a browser would run: only elements and
    attributes count, escaped text never does."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hits = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") and "alert(" in value:
                self.hits.append(f"<{tag} {name}={value[:40]}>")
            elif (
                name in URL_ATTRIBUTES and "javascript:" in value and "alert(" in value
            ):
                self.hits.append(f"<{tag} {name}={value[:40]}>")
        if tag == "script":
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.hits.append(f"<script>{data.strip()[:40]}")


def live_script(html: str) -> list[str]:
    parser = _LiveScript()
    parser.feed(html)
    parser.close()
    return parser.hits


def unescaped_in_html(html: str, payloads=XSS_PAYLOADS) -> list[str]:
    """Payloads that reached this HTML as markup: live code, or verbatim text
    (Django's escaping changes every < > & " ', so verbatim means unescaped)."""
    hits = live_script(html)
    hits += [p for p in payloads if set(p) & set("<>&\"'") and p in html]
    return hits


def raw_markers(text: str) -> list[str]:
    """For plain-text bodies: payload fragments that arrived exactly as typed."""
    lowered = text.lower()
    return [marker for marker in RAW_MARKERS if marker in lowered]


def aged_token(seconds=10):
    return make_form_token(now=time.time() - seconds)


def consultation_data(n, location_slug, **overrides):
    area = 201 + n // 100
    data = {
        "first_name": f"Robin{n}",
        "last_name": "Quill",
        "phone": f"({area}) 555-01{n % 100:02d}",
        "email": f"patient{n}@patient.example",
        "location": location_slug,
        "preferred_contact": "phone",
        "call_times": ["morning"],
        "language": "en",
        "interest": "anxiety",
        "message": "Please call in the evening.",
        "heard_about": "A friend",
        "self_harm": "no",
        "consent": "on",
        "website": "",
        "form_token": aged_token(),
    }
    data.update(overrides)
    return data


def waitlist_data(n, **overrides):
    data = {
        "name": f"Robin Waiter {n}",
        "email": f"waiter{n}@patient.example",
        "phone": f"(415) 555-01{n % 100:02d}",
        "preferred_contact": "email",
        "consent": "on",
        "website": "",
        "form_token": aged_token(),
    }
    data.update(overrides)
    return data
