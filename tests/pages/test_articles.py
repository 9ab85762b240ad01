import json
import re
from html.parser import HTMLParser

import pytest
import textstat
from django.conf import settings
from django.urls import reverse

from core.facts import fill_facts
from core.models import SiteSettings
from pages.content_loader import CONTENT_DIR, parse_article_file
from pages.models import Article, Clinician, Reference
from pages.rendering import FOOTNOTE_MARKER

pytestmark = pytest.mark.django_db

BANNED = [
    "cure",
    "cured",
    "miracle",
    "miraculous",
    "100% safe",
    "completely safe",
    "no side effects",
    "no long-term side effects",
    "NMDA agonist",
    "guaranteed",
    "works magically",
]
BANNED_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(w) for w in BANNED) + r")(?![\w-])", re.I
)
REQUIRED_SLUGS = {
    "what-is-ketamine",
    "how-ketamine-works",
    "side-effects-and-safety",
    "history",
    "research",
    "conditions",
    "what-to-expect",
    "is-ketamine-right-for-me",
    "cost-and-insurance",
    "faq",
}
# Plain-language target for patient pages (US grade, Flesch-Kincaid).
MAX_GRADE = 8
STATIC_PAGES = [
    "/",
    "/learn/",
    "/our-approach/",
    "/privacy/",
    "/accessibility/",
    "/editorial-policy/",
    "/medical-disclaimer/",
]


def plain_text(markdown_source):
    text = re.sub(r"\[\[[a-z-]+\]\]", "", fill_facts(markdown_source))
    text = re.sub(r"\[(\d+)\]", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    text = re.sub(r"^[#>*\-|]+\s*", "", text, flags=re.M)
    return re.sub(r"[*_`|]", "", text)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids, self.scripts, self._in_ld = [], set(), [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        self._in_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.scripts.append(json.loads(data))
            self._in_ld = False


def parse(html):
    parser = _Links()
    parser.feed(html)
    return parser


def test_every_required_article_ships():
    shipped = {p.stem for p in (CONTENT_DIR / "articles").glob("*.md")}
    assert REQUIRED_SLUGS <= shipped


@pytest.mark.parametrize("slug", sorted(REQUIRED_SLUGS))
def test_article_content_rules(demo, client, slug):
    article = Article.objects.get(slug=slug)
    references = list(article.references.all())
    text = " ".join(
        [article.title, article.summary, article.body, article.meta_description]
    )

    assert BANNED_RE.findall(text) == []
    assert len(references) >= 3
    assert article.reviewer_id and article.last_reviewed and article.next_review_due
    assert article.next_review_due > article.last_reviewed
    # Every marker points at a reference, and every reference is cited.
    cited = {int(n) for n in FOOTNOTE_MARKER.findall(article.body)}
    assert cited == set(range(1, len(references) + 1))
    for ref in references:
        assert ref.url.startswith("https://")
        assert ref.evidence_type in Reference.EvidenceType.values

    grade = textstat.flesch_kincaid_grade(plain_text(article.body))
    assert grade <= MAX_GRADE, f"{slug} reads at grade {grade}"
    summary_grade = textstat.flesch_kincaid_grade(fill_facts(article.summary))
    assert summary_grade <= MAX_GRADE, f"{slug} key facts read at grade {summary_grade}"

    html = client.get(article.get_absolute_url()).content.decode()
    assert BANNED_RE.findall(re.sub(r"<[^>]+>", " ", html)) == []
    assert "Call or text" in html and "988" in html
    assert "not medical advice" in html
    page = parse(html)
    for ref in references:
        assert f"ref-{ref.order}" in page.ids
        assert ref.get_evidence_type_display() in html


@pytest.mark.parametrize(
    "path", STATIC_PAGES + [f"/learn/{s}/" for s in sorted(REQUIRED_SLUGS)]
)
def test_every_internal_link_resolves(demo, client, path):
    response = client.get(path)
    assert response.status_code == 200
    page = parse(response.content.decode())
    for href in page.hrefs:
        if href.startswith("#"):
            assert href[1:] in page.ids, f"{path}: dangling anchor {href}"
        elif href.startswith("/") and not href.startswith("//"):
            target = client.get(href.split("#")[0])
            assert target.status_code == 200, (
                f"{path} links to {href}: {target.status_code}"
            )


def test_titles_and_descriptions_are_unique_with_canonical_and_open_graph(demo, client):
    seen_titles, seen_descriptions = set(), set()
    for path in (
        STATIC_PAGES + [f"/learn/{s}/" for s in REQUIRED_SLUGS] + ["/locations/"]
    ):
        html = client.get(path).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        description = re.search(
            r'<meta name="description" content="([^"]*)"', html
        ).group(1)
        assert title not in seen_titles, path
        assert description and description not in seen_descriptions, path
        seen_titles.add(title)
        seen_descriptions.add(description)
        assert f'<link rel="canonical" href="{settings.SITE_URL}{path}">' in html
        assert f'<meta property="og:url" content="{settings.SITE_URL}{path}">' in html
        assert '<meta property="og:title"' in html


def test_regulatory_status_block_is_rendered_from_one_source(demo, client):
    pages_with_block = Article.objects.filter(body__contains="[[regulatory-status]]")
    assert pages_with_block.count() >= 3
    for article in pages_with_block:
        html = client.get(article.get_absolute_url()).content.decode()
        assert "Regulatory status" in html
        assert "1970" in html and "Schedule III" in html and "REMS" in html
        assert "[[regulatory-status]]" not in html


def test_cost_page_shows_location_price_notes_from_data(demo, client):
    from locations.models import Location

    html = client.get("/learn/cost-and-insurance/").content.decode()
    assert "[[location-prices]]" not in html
    assert "Prices at our locations" in html
    assert "written estimate" in html
    # Typical ranges, each backed by a cited reference.
    assert "$400 to $800" in html and "$2,400 to $4,800" in html
    # Every open location is listed and linked; others are not.
    for location in Location.objects.all():
        listed = f'id="prices-{location.slug}"' in html
        assert listed == (location.status == Location.Status.OPEN), location.slug
        if listed:
            assert f'href="{location.get_absolute_url()}"' in html


def test_regulatory_box_states_the_exact_indications(demo, client):
    html = client.get("/learn/what-is-ketamine/").content.decode()
    box = html.split('id="regulatory-heading"')[1].split("</aside>")[0]
    assert "muscle (IM)" in box
    assert "in 2020 for depressive symptoms in adults with major depression" in box
    assert "also taken with an oral antidepressant" in box
    assert "on its own is approved only for treatment-resistant depression" in box
    assert "boxed warning" in box
    for british in ["anaesthetic", "behaviour", "programme"]:
        assert british not in box
    assert "Using IV ketamine for depression" in html  # the page footer


def test_a_historical_commentary_is_not_called_observational(demo):
    domino = Reference.objects.filter(citation__startswith="Domino EF")
    assert domino.count() == 2
    assert set(domino.values_list("evidence_type", flat=True)) == {"commentary"}


def test_article_page_runs_at_most_three_queries(
    demo, client, django_assert_max_num_queries
):
    SiteSettings.load()  # warm the cached site settings, as in production
    with django_assert_max_num_queries(3):
        response = client.get("/learn/side-effects-and-safety/")
    assert response.status_code == 200


def test_cached_page_is_purged_when_article_reference_or_clinician_changes(
    demo, client
):
    url = "/learn/history/"
    assert client.get(url).status_code == 200
    article = Article.objects.get(slug="history")

    article.title = "A changed title"
    article.save()
    assert "A changed title" in client.get(url).content.decode()

    ref = article.references.first()
    ref.citation = "A changed citation, 2001."
    ref.save()
    assert "A changed citation, 2001." in client.get(url).content.decode()

    reviewer = article.reviewer
    reviewer.name = "Dr. Changed Name"
    reviewer.save()
    assert "Dr. Changed Name" in client.get(url).content.decode()


def test_content_pages_send_validators_and_honour_if_none_match(demo, client):
    response = client.get("/learn/faq/")
    assert "public" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    again = client.get("/learn/faq/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_drafts_are_404_for_the_public_and_previewable_by_staff(
    demo, client, admin_user
):
    Article.objects.filter(slug="history").update(status=Article.Status.DRAFT)
    assert client.get("/learn/history/").status_code == 404
    assert "/learn/history/" not in client.get("/learn/").content.decode()
    client.force_login(admin_user)
    response = client.get("/learn/history/")
    assert response.status_code == 200
    assert "Draft preview" in response.content.decode()


def test_overdue_review_shows_notice_and_admin_filter_lists_it(demo, client):
    import datetime as dt

    Article.objects.filter(slug="research").update(
        next_review_due=dt.date(2020, 1, 1), last_reviewed=dt.date(2019, 1, 1)
    )
    html = client.get("/learn/research/").content.decode()
    assert "This page is being reviewed" in html
    assert (
        "This page is being reviewed"
        not in client.get("/learn/history/").content.decode()
    )
    assert list(Article.objects.review_overdue().values_list("slug", flat=True)) == [
        "research"
    ]


def test_body_html_is_sanitised(demo, client):
    article = Article.objects.get(slug="history")
    article.body += (
        '\n\n<script>alert(1)</script><img src=x onerror="alert(2)">'
        '[click](javascript:alert(3)) <a href="/learn/" onclick="x()">ok</a>\n'
    )
    article.save()
    html = client.get("/learn/history/").content.decode()
    body = html.split('id="key-facts-heading"')[1].split('id="references-heading"')[0]
    assert "<script" not in body and "onerror" not in body
    assert "javascript:" not in body and "onclick" not in body


def test_structured_data_on_article_faq_and_home(demo, client):
    article_ld = parse(
        client.get("/learn/how-ketamine-works/").content.decode()
    ).scripts
    page = article_ld[0][0]
    article = Article.objects.get(slug="how-ketamine-works")
    assert page["@type"] == "MedicalWebPage"
    assert page["lastReviewed"] == article.last_reviewed.isoformat()
    assert page["reviewedBy"] == {
        "@type": "Person",
        "name": article.reviewer.name,
        "honorificSuffix": article.reviewer.credentials,
        "jobTitle": article.reviewer.role,
    }
    assert page["author"]["name"] == article.author.name
    assert page["author"]["honorificSuffix"] == article.author.credentials
    assert page["about"]["name"] == "Ketamine"

    faq = parse(client.get("/learn/faq/").content.decode()).scripts[0]
    faq_page = next(item for item in faq if item["@type"] == "FAQPage")
    assert len(faq_page["mainEntity"]) >= 8
    for question in faq_page["mainEntity"]:
        assert question["name"].endswith("?")
        assert question["acceptedAnswer"]["text"]

    home = parse(client.get("/").content.decode()).scripts[0]
    assert home["@type"] == "MedicalOrganization"
    assert home["telephone"] == "+15105550100"


def test_sitemap_and_robots(demo, client):
    sitemap = client.get("/sitemap.xml").content.decode()
    for slug in REQUIRED_SLUGS:
        assert f"/learn/{slug}/</loc>" in sitemap
    for path in [
        "/privacy/",
        "/locations/",
        "/locations/oakland/",
        "/locations/san-francisco/",
    ]:
        assert f"{path}</loc>" in sitemap
    robots = client.get("/robots.txt").content.decode()
    # From SITE_URL, like every absolute URL (never the request's Host).
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in robots


def test_hub_lists_every_published_article(demo, client):
    html = client.get(reverse("pages:learn")).content.decode()
    for article in Article.objects.published():
        assert article.get_absolute_url() in html


def test_shipped_files_parse_and_reviewers_exist():
    keys = {
        c["key"]
        for c in __import__("tomllib").loads(
            (CONTENT_DIR / "clinicians.toml").read_text()
        )["clinicians"]
    }
    for path in (CONTENT_DIR / "articles").glob("*.md"):
        meta, body = parse_article_file(path)
        assert meta["reviewer"] in keys
        assert not body.lstrip().startswith("# "), "the page renders the title as h1"
    assert Clinician.objects.count() == 0  # nothing loaded without the demo fixture


def test_anonymous_content_pages_do_not_vary_on_cookie(demo, client):
    for path in ["/", "/learn/", "/learn/faq/", "/privacy/"]:
        for _ in range(2):  # the miss that fills the cache, then the hit
            response = client.get(path)
            assert "Cookie" not in response.get("Vary", ""), path
            assert not response.cookies, path


def test_readability_check_fails_above_grade_eight():
    # The rule must bite: a dense clinical sentence is well above the target.
    dense = (
        "Subanesthetic intravenous racemic ketamine demonstrates rapid "
        "antidepressant efficacy in treatment-resistant major depressive "
        "disorder, although durability, optimal maintenance scheduling and "
        "long-term neurocognitive safety remain insufficiently characterized."
    )
    assert textstat.flesch_kincaid_grade(dense) > MAX_GRADE


def test_side_effect_tables_give_label_rates_for_nausea_vertigo_and_blood_pressure(
    demo, client
):
    html = client.get("/learn/side-effects-and-safety/").content.decode()
    cells = [
        re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)
    ]
    # The TRD table (esketamine vs dummy spray, Spravato label section 6.1).
    assert ["Nausea (feeling sick)", "28%", "9%"] in cells
    assert ["Vertigo (a spinning feeling)", "23%", "3%"] in cells
    assert ["Raised blood pressure", "10%", "3%"] in cells
    # The suicidal-ideation table.
    assert ["Raised blood pressure", "15%", "6%"] in cells
    assert ["Vertigo (a spinning feeling)", "6%", "0.4%"] in cells


def test_article_page_shows_who_wrote_and_who_reviewed_it(demo, client):
    article = Article.objects.select_related("author", "reviewer").get(slug="faq")
    html = client.get(article.get_absolute_url()).content.decode()
    line = re.sub(
        r"\s+",
        " ",
        html.split('class="review-line article-meta">')[1].split("\n</div>")[0],
    )
    assert f'Written by <span class="review-line-name">{article.author.name}, ' in line
    assert (
        f'Reviewed by <span class="review-line-name">{article.reviewer.name}, ' in line
    )
    assert article.reviewer.credentials in line and article.author.credentials in line
    assert f'<time datetime="{article.last_reviewed.isoformat()}">' in line
    assert article.last_reviewed.strftime("%B %-d, %Y") in line
