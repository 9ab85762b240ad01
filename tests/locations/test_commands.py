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
