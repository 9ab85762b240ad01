import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from core.models import SiteSettings
from locations.demo import load_demo_locations


@pytest.fixture
def otp_admin_client(client, django_user_model, otp_login):
    user = django_user_model.objects.create_superuser(
        username="dana.admin", email="dana@lanternfield.example", password="x"
    )
    return otp_login(client, user)


@pytest.fixture
def staff_client(client, django_user_model, otp_login):
    """A staff member who may view and change waitlist entries, and no more."""
    user = django_user_model.objects.create_user(
        username="sam.staff", password="x", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_waitlistentry", "change_waitlistentry"]
        )
    )
    otp_login(client, user)
    client.user = user
    return client


@pytest.fixture
def freeze_now(monkeypatch):
    """Pin django.utils.timezone.now to a UTC instant for view code."""

    def freeze(*args):
        moment = dt.datetime(*args, tzinfo=dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze


@pytest.fixture
def site_settings_cached(db):
    """Save and cache the site settings, as in production after the first page."""
    SiteSettings(
        brand_name="Lanternfield Ketamine Clinics", main_phone="+15105550100"
    ).save()
    return SiteSettings.load()


@pytest.fixture
def clinics(site_settings_cached):
    """The three demo locations (no articles: quicker than the ``demo`` fixture)."""
    load_demo_locations()
