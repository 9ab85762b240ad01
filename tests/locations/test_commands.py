"""manage.py createstaff."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_createstaff_prints_a_fresh_password_that_works():
    out = io.StringIO()
    call_command("createstaff", "--username", "frontdesk", stdout=out)
    password = out.getvalue().split("One-time password: ")[1].split()[0]
    user = get_user_model().objects.get(username="frontdesk")
    assert user.is_superuser
    assert len(password) >= 16
    assert user.check_password(password)


def test_createstaff_requires_a_username():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--username"):
        call_command("createstaff", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def test_the_one_time_password_must_be_changed_at_the_first_sign_in(client, otp_login):
    from django.urls import reverse

    out = io.StringIO()
    call_command("createstaff", "--username", "dana", stdout=out)
    password = out.getvalue().split("One-time password: ")[1].split()[0]
    user = get_user_model().objects.get(username="dana")
    otp_login(client, user)

    for path in (reverse("admin:index"), reverse("admin:auth_user_changelist")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:password_change")
    assert client.get(reverse("admin:password_change")).status_code == 200

    changed = client.post(
        reverse("admin:password_change"),
        {
            "old_password": password,
            "new_password1": "a-new-long-passphrase-77",
            "new_password2": "a-new-long-passphrase-77",
        },
    )
    assert changed.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
