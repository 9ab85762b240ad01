"""manage.py load_demo_data."""

import io

import pytest
from django.core.management import call_command

from core.models import SiteSettings
from locations.models import Location
from pages.models import Article

pytestmark = pytest.mark.django_db


def test_demo_data_loads_fictional_clinic_and_is_harmless_twice():
    call_command("load_demo_data", stdout=io.StringIO())
    first = (Location.objects.count(), Article.objects.count())
    Article.objects.filter(slug="history").update(title="Edited by staff")
    call_command("load_demo_data", stdout=io.StringIO())

    assert (Location.objects.count(), Article.objects.count()) == first
    assert Article.objects.get(slug="history").title == "Edited by staff"
    site = SiteSettings.load()
    assert site.main_phone.as_e164 == "+15105550100"
    statuses = sorted(Location.objects.values_list("status", flat=True))
    assert statuses == ["coming_soon", "open", "open"]
    assert Location.objects.get(status="coming_soon").city == "San Francisco"
    for location in Location.objects.all():
        assert location.phone.national_number // 100 % 100000 == 55501
        assert location.notification_email_list
