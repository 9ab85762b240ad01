"""An uploaded article image renders as WebP renditions with srcset, sizes and
fixed dimensions; images below the fold load lazily."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from PIL import Image

from pages.models import Article

pytestmark = pytest.mark.django_db


def png_upload(width=2000, height=1000):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile("hero.png", buffer.getvalue(), content_type="image/png")


def img_attrs(html):
    tag = re.search(r"<img [^>]*>", html).group(0)
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag)), tag


@pytest.fixture
def article_with_hero(demo):
    article = Article.objects.get(slug="what-to-expect")
    article.hero_image = png_upload()
    article.hero_alt = "A quiet treatment room with a reclining chair"
    article.save()
    return article


def test_article_hero_has_webp_srcset_sizes_and_dimensions(article_with_hero, client):
    html = client.get(article_with_hero.get_absolute_url()).content.decode()
    attrs, tag = img_attrs(html)

    candidates = [c.strip().rsplit(" ", 1) for c in attrs["srcset"].split(",")]
    assert [w for _url, w in candidates] == ["480w", "960w", "1440w"]
    assert all(url.endswith(".webp") for url, _w in candidates)
    assert attrs["src"] == candidates[-1][0]
    assert attrs["sizes"] == "(min-width: 768px) 42rem, 100vw"
    # Width and height of the largest rendition keep the 2:1 ratio: no shift.
    assert (attrs["width"], attrs["height"]) == ("1440", "720")
    assert attrs["alt"] == "A quiet treatment room with a reclining chair"
    # The hero sits at the top of the page: it must not wait for lazy loading.
    assert 'loading="lazy"' not in tag

    assert attrs["fetchpriority"] == "high"  # it is the largest paint
    for url, _w in candidates:
        name = url.removeprefix("/media/")
        with (
            article_with_hero.hero_image.storage.open(name) as fh,
            Image.open(fh) as im,
        ):
            assert im.format == "WEBP"


def test_images_below_the_fold_load_lazily(article_with_hero):
    html = render_to_string(
        "includes/responsive_image.html",
        {"image": article_with_hero, "alt": "Room", "sizes": "50vw"},
    )
    attrs, tag = img_attrs(html)
    assert attrs["loading"] == "lazy"
    assert "fetchpriority" not in attrs
    assert attrs["sizes"] == "50vw"
    assert attrs["width"] and attrs["height"]


def test_small_uploads_are_not_upscaled(demo):
    article = Article.objects.get(slug="faq")
    article.hero_image = png_upload(width=600, height=300)
    article.save()
    html = render_to_string(
        "includes/responsive_image.html", {"image": article, "alt": "x"}
    )
    attrs, _tag = img_attrs(html)
    assert [c.strip().rsplit(" ", 1)[1] for c in attrs["srcset"].split(",")] == ["480w"]
    assert (attrs["width"], attrs["height"]) == ("480", "240")
