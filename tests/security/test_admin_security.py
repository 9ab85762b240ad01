"""The locked-down admin: lockout, two-factor, sessions, headers, accounts."""

import datetime as dt
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from locations.demo import load_demo_locations
from locations.models import StaffLocation

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-staff-passphrase-42"


def totp_code(device, *, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def staff_user():
    user = get_user_model().objects.create_user(
        username="frontdesk1", password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Front desk"))
    return user


@pytest.fixture
def device(staff_user):
    return TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)


def login(client, username, password, token=""):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "otp_token": token},
    )


def test_lockout_after_five_failures_then_cool_off(client, staff_user, device):
    codes = [
        login(client, "frontdesk1", "wrong-password-123").status_code for _ in range(6)
    ]
    # The fifth failure locks the account; axes answers it and all later tries with 429.
    assert codes == [200, 200, 200, 200, 429, 429]

    # Locked: the right password and a valid code are refused too.
    locked = login(client, "frontdesk1", PASSWORD, totp_code(device))
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session

    # Failures are recorded without the password or the code.
    attempt = AccessAttempt.objects.get(username="frontdesk1")
    assert attempt.failures_since_start >= 5
    assert "wrong-password-123" not in attempt.post_data
    assert PASSWORD not in attempt.post_data

    # 15 minutes later the lock has cooled off.
    AccessAttempt.objects.update(
        attempt_time=attempt.attempt_time - dt.timedelta(minutes=16)
    )
    accepted = login(client, "frontdesk1", PASSWORD, totp_code(device, offset=30))
    assert accepted.status_code == 302, accepted.context["form"].errors
    assert client.get(reverse("admin:index")).status_code == 200


def test_failures_with_made_up_usernames_from_one_address_lock_nobody_real(
    client, staff_user, device, settings
):
    # Behind one proxy every request arrives from the proxy's address; the
    # client's own address is the last X-Forwarded-For entry.
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for n in range(5):
        client.post(
            reverse("admin:login"),
            {"username": f"nobody{n}", "password": "wrong-password-123"},
            **proxy,
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.9"
    }
    signed_in = client.post(
        reverse("admin:login"),
        {
            "username": "frontdesk1",
            "password": PASSWORD,
            "otp_token": totp_code(device),
        },
        **proxy,
    )
    assert signed_in.status_code == 302, signed_in.status_code


def test_six_failures_on_one_username_from_many_addresses_lock_that_username(
    client, staff_user, device, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(6):
        client.post(
            reverse("admin:login"),
            {"username": "frontdesk1", "password": "wrong-password-123"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}",
        )
    # From a seventh address, with the right password and code: still locked.
    locked = client.post(
        reverse("admin:login"),
        {
            "username": "frontdesk1",
            "password": PASSWORD,
            "otp_token": totp_code(device),
        },
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_still_locked_within_the_cool_off(client, staff_user, device):
    for _ in range(5):
        login(client, "frontdesk1", "wrong-password-123")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - dt.timedelta(minutes=14)
    )
    assert login(client, "frontdesk1", PASSWORD, totp_code(device)).status_code == 429


def test_password_alone_does_not_open_the_admin(client, staff_user, device):
    response = login(client, "frontdesk1", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert login(client, "frontdesk1", PASSWORD, "000000").status_code == 200
    assert "_auth_user_id" not in client.session


def test_with_two_devices_the_user_must_pick_one(client, staff_user, device):
    second = TOTPDevice.objects.create(user=staff_user, name="backup", confirmed=True)
    refused = login(client, "frontdesk1", PASSWORD, totp_code(device))
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    picked = client.post(
        reverse("admin:login"),
        {
            "username": "frontdesk1",
            "password": PASSWORD,
            "otp_device": second.persistent_id,
            "otp_token": totp_code(second),
        },
    )
    assert picked.status_code == 302


def test_a_used_code_cannot_be_replayed(client, staff_user, device):
    code = totp_code(device)
    assert login(client, "frontdesk1", PASSWORD, code).status_code == 302
    client.logout()
    assert login(client, "frontdesk1", PASSWORD, code).status_code == 200


def test_a_user_without_a_verified_device_cannot_open_the_admin(client, staff_user):
    client.force_login(staff_user)  # password checked, no second factor
    index = client.get(reverse("admin:index"))
    assert index.status_code == 302
    assert index["Location"].startswith(reverse("admin:login"))
    changelist = reverse("admin:consultations_consultationrequest_changelist")
    assert client.get(changelist).status_code == 302


def test_a_staff_member_without_any_device_cannot_sign_in(client, staff_user):
    assert login(client, "frontdesk1", PASSWORD, "123456").status_code == 200
    assert "_auth_user_id" not in client.session


def test_session_ends_after_30_minutes_idle(client, staff_user, otp_login):
    otp_login(client, staff_user)
    assert client.get(reverse("admin:index")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - 29 * 60
    session.save()
    assert client.get(reverse("admin:index")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - 31 * 60
    session.save()
    assert client.get(reverse("admin:index")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_session_ends_12_hours_after_it_started_even_when_active(
    client, staff_user, otp_login
):
    otp_login(client, staff_user)
    assert client.get(reverse("admin:index")).status_code == 200
    session = client.session
    session["started"] = int(time.time()) - 12 * 3600 + 60
    session.save()
    assert client.get(reverse("admin:index")).status_code == 200
    session = client.session
    session["started"] = int(time.time()) - 12 * 3600 - 60
    session.save()
    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_pages_are_never_cached(client, staff_user, otp_login):
    assert "no-store" in client.get(reverse("admin:login"))["Cache-Control"]
    otp_login(client, staff_user)
    for url in [
        reverse("admin:index"),
        reverse("admin:consultations_consultationrequest_changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("Shortpass1!", False),  # 11 characters
        ("q1w2e3r4t5y6", False),  # on the common-password list
        ("violet tram under the quiet harbour", True),
        ("x7" * 64, True),  # 128 characters
    ],
)
def test_password_policy(password, accepted):
    try:
        validate_password(password)
    except ValidationError:
        assert not accepted
    else:
        assert accepted


def _settings_in_subprocess(module, code, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": module},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_cookies_sessions_and_two_factor():
    from tests.site.test_settings import PROD_ENV

    values = _settings_in_subprocess(
        "clinic_site.settings.prod",
        "from django.conf import settings as s; import clinic_site.urls; "
        "from django.contrib import admin; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_SAMESITE, "
        "s.SESSION_COOKIE_AGE, s.SESSION_IDLE_TIMEOUT, admin.site.__class__.__name__, "
        "s.ADMIN_URL)",
        **PROD_ENV,
    )
    assert values == [
        "True",
        "True",
        "Lax",
        "True",
        "Lax",
        "43200",
        "1800",
        "StaffOTPAdminSite",
        "staff-x/",
    ]


@pytest.mark.parametrize(
    ("flag", "site"), [("0", "BrandedAdminSite"), ("1", "StaffOTPAdminSite")]
)
def test_only_the_dev_flag_can_switch_two_factor_off(flag, site):
    values = _settings_in_subprocess(
        "clinic_site.settings.dev",
        "import clinic_site.urls; from django.contrib import admin; "
        "print(admin.site.__class__.__name__)",
        DJANGO_ADMIN_REQUIRE_OTP=flag,
    )
    assert values == [site]


def test_createstaff_makes_a_scoped_staff_member_with_totp():
    load_demo_locations()
    out = io.StringIO()
    call_command(
        "createstaff",
        "--username",
        "dana",
        "--group",
        "Front desk",
        "--location",
        "oakland",
        "--location",
        "portland",
        "--totp",
        stdout=out,
    )
    text = out.getvalue()
    user = get_user_model().objects.get(username="dana")
    password = text.split("One-time password: ")[1].split()[0]
    assert user.check_password(password)
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Front desk"]
    assert sorted(
        StaffLocation.objects.filter(user=user).values_list("location__slug", flat=True)
    ) == ["oakland", "portland"]
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    uri = text.split("TOTP URI: ")[1].split()[0]
    assert uri == device.config_url
    assert uri.startswith("otpauth://totp/")
    assert device.verify_token(totp_code(device))


def test_createstaff_refuses_unknown_groups_and_locations():
    with pytest.raises(CommandError, match="Night shift"):
        call_command("createstaff", "--username", "x", "--group", "Night shift")
    with pytest.raises(CommandError, match="atlantis"):
        call_command(
            "createstaff",
            "--username",
            "y",
            "--group",
            "Front desk",
            "--location",
            "atlantis",
        )
    assert not get_user_model().objects.exists()
