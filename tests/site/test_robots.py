import pytest
from django.conf import settings


@pytest.mark.django_db
def test_robots_lets_crawlers_in_and_keeps_the_admin_path_private(client):
    lines = client.get("/robots.txt").content.decode().splitlines()
    disallowed = [
        line.split(":", 1)[1].strip() for line in lines if line.startswith("Disallow")
    ]
    # An empty admin path once rendered "Disallow: /", hiding the whole site.
    assert "/" not in disallowed and "" not in disallowed
    assert "/consultation/thanks/" in disallowed
    # The admin path is meant to be hard to guess; robots.txt is public.
    assert settings.ADMIN_URL.strip("/") not in "\n".join(lines)
