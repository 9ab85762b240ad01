"""The brand files: drawn by scripts/brand_assets.py, served where browsers look."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.conf import settings
from mailer.models import Message

from core.emails import queue_templated_email
from tests.factories import LocationFactory

ROOT = Path(settings.BASE_DIR)
_spec = importlib.util.spec_from_file_location(
    "brand", ROOT / "scripts/brand_assets.py"
)
brand = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(brand)


def test_committed_brand_files_are_what_the_script_draws():
    # The PNGs with the wordmark also need the font from node_modules, which
    # `make assets` installs; the files drawn from shapes alone are checked here.
    drawn = brand.shape_outputs()
    assert len(drawn) == 5
    for relative, data in drawn.items():
        assert (ROOT / relative).read_bytes() == data, relative


def test_the_icon_files_have_the_sizes_browsers_ask_for():
    from PIL import Image

    ico = Image.open(ROOT / "static/root/favicon.ico")
    assert {(16, 16), (32, 32), (48, 48)} <= set(ico.info["sizes"])
    assert Image.open(ROOT / "static/root/apple-touch-icon.png").size == (180, 180)
    assert Image.open(ROOT / "static/img/og-image.png").size == (1200, 630)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "kind"),
    [("/favicon.ico", "image/"), ("/apple-touch-icon.png", "image/png")],
)
def test_root_icons_do_not_404(client, path, kind):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(kind)


@pytest.mark.django_db
def test_pages_link_the_icons_the_og_image_and_preload_both_font_weights(client):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in html
    assert 'rel="apple-touch-icon" href="/apple-touch-icon.png"' in html
    assert re.search(r'og:image" content="https?://[^"]+/og-image[^"]*\.png"', html)
    preload = re.search(
        r'<link rel="preload" href="([^"]+)" as="font"[^>]*crossorigin', html
    )
    assert preload and preload.group(1).endswith("latin-400-normal.woff2")
    assert 'class="brand-mark"' in html  # the mark is inline: no extra request


def test_the_font_is_self_hosted_swapped_and_subset():
    css = (ROOT / "static/css/site.min.css").read_text()
    faces = re.findall(r"@font-face\{[^}]+\}", css)
    assert len(faces) == 2
    for face in faces:
        assert "font-display:swap" in face
        assert 'url("../fonts/' in face and 'format("woff2")' in face
        assert "unicode-range:U+0020-007E," in face
        assert "U+00A0-00A1" in face and "U+00BF" in face  # ¡ ¿
        assert "U+00C0-00FF" in face  # á é í ó ú ü ñ and their capitals
        assert "U+2060" in face  # the word joiner before footnote markers
    fonts = sorted((ROOT / "static/fonts").glob("*.woff2"))
    assert len(fonts) == 2
    for font in fonts:
        assert font.stat().st_size < 11_000  # subset: about 9 KB a weight


@pytest.mark.django_db
def test_html_emails_carry_the_logo_as_an_absolute_png(settings):
    settings.SITE_URL = "https://clinic.example.org"
    queue_templated_email(
        template="waitlist_open",
        context={"location": LocationFactory(), "location_url": "https://x.example/"},
        to=["robin@example.org"],
        language="en",
    )
    html = Message.objects.get().email.alternatives[0][0]
    assert re.search(
        r'<img src="https://clinic\.example\.org/static/img/logo-email[^"]*\.png" '
        r'width="300" height="64" alt="[^"]+">',
        html,
    )
