"""A second `make createstaff` explains itself instead of failing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_createstaff_again_leaves_the_account_and_says_what_to_do():
    call_command("createstaff", "--username", "alice", stdout=io.StringIO())
    password = get_user_model().objects.get(username="alice").password
    err = io.StringIO()
    call_command(
        "createstaff", "--username", "alice", stdout=io.StringIO(), stderr=err
    )  # no CommandError
    assert "already exists; nothing changed" in err.getvalue()
    assert "changepassword alice" in err.getvalue()
    assert get_user_model().objects.get(username="alice").password == password
