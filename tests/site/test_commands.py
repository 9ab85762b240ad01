import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from locations.models import Location
from pages.models import Article, SiteSettings

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


def test_createstaff_prints_a_fresh_password_that_works():
    out = io.StringIO()
    call_command("createstaff", "--username", "frontdesk", stdout=out)
    password = out.getvalue().split("One-time password: ")[1].split()[0]
    user = get_user_model().objects.get(username="frontdesk")
    assert user.is_superuser
    assert len(password) >= 16
    assert user.check_password(password)


def test_no_user_accounts_ship_with_migrations():
    assert get_user_model().objects.count() == 0
