"""The staff groups made by migration consultations.0002_staff_groups."""

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from tests.factories import ConsultationRequestFactory, make_staff

pytestmark = pytest.mark.django_db

migration = importlib.import_module("consultations.migrations.0002_staff_groups")
translations_migration = importlib.import_module(
    "pages.migrations.0011_translation_permissions"
)
reports_migration = importlib.import_module(
    "pages.migrations.0009_content_team_reads_problem_reports"
)
reviewers_migration = importlib.import_module(
    "pages.migrations.0006_clinical_reviewers_group"
)
translations_migration = importlib.import_module(
    "pages.migrations.0011_translation_permissions"
)
booking_migration = importlib.import_module(
    "consultations.migrations.0007_booking_staff_permissions"
)
# Parts of a call schedule, which managers edit in inlines (a window removed).
SCHEDULE_PARTS = ("consultations.delete_callwindow", "consultations.delete_callclosure")


def perms(name):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=name).permissions.select_related("content_type")
    }


def test_groups_exist_on_a_freshly_migrated_database():
    # The test database was just built by running every migration from empty.
    assert perms("Front desk") == {
        "consultations.view_consultationrequest",
        "consultations.change_consultationrequest",
        "consultations.add_callattempt",
        "consultations.change_callattempt",
        "consultations.view_callattempt",
        "locations.view_waitlistentry",
        "locations.view_location",
        *booking_migration.VIEW,
    }
    manager = perms("Clinic manager")
    assert perms("Front desk") < manager
    assert {
        "consultations.export_consultationrequest",
        "locations.change_location",
        "locations.change_waitlistentry",
    } <= manager
    editor = perms("Content editor")
    assert {p.split(".")[0] for p in editor} == {"pages"}
    assert "pages.change_article" in editor
    assert "pages.view_historicalarticle" in editor


def test_nobody_in_a_group_may_delete_requests_and_only_managers_export():
    for name in ("Front desk", "Clinic manager", "Content editor"):
        codes = perms(name)
        assert not any(
            code.split(".")[1].startswith("delete_")
            for code in codes
            if (code.startswith("consultations.") or "waitlist" in code)
            and code not in SCHEDULE_PARTS
        )
    assert "consultations.export_consultationrequest" not in perms("Front desk")
    assert "consultations.export_consultationrequest" not in perms("Content editor")


def run_migration_function():
    state = MigrationExecutor(connection).loader.project_state(
        ("consultations", "0002_staff_groups")
    )
    migration.create_groups(state.apps, SimpleNamespace(connection=connection))
    state = MigrationExecutor(connection).loader.project_state(
        ("consultations", "0007_booking_staff_permissions")
    )
    booking_migration.grant(state.apps, SimpleNamespace(connection=connection))
    state = MigrationExecutor(connection).loader.project_state(
        ("pages", "0006_clinical_reviewers_group")
    )
    reviewers_migration.add_groups(state.apps, SimpleNamespace(connection=connection))
    state = MigrationExecutor(connection).loader.project_state(
        ("pages", "0009_content_team_reads_problem_reports")
    )
    reports_migration.grant(state.apps, SimpleNamespace(connection=connection))
    state = MigrationExecutor(connection).loader.project_state(
        ("pages", "0011_translation_permissions")
    )
    translations_migration.add_permissions(
        state.apps, SimpleNamespace(connection=connection)
    )


def test_running_the_migration_again_changes_nothing():
    before = {name: perms(name) for name in migration.GROUPS}
    groups = Group.objects.count()
    run_migration_function()
    assert Group.objects.count() == groups
    assert {name: perms(name) for name in migration.GROUPS} == before


def test_migration_creates_missing_permissions_itself():
    # As on an empty database, where post_migrate has not run yet.
    before = {name: perms(name) for name in migration.GROUPS}
    Permission.objects.filter(
        content_type__app_label__in=["consultations", "locations", "pages"]
    ).delete()
    Group.objects.all().delete()
    run_migration_function()
    assert {name: perms(name) for name in migration.GROUPS} == before


def test_groups_grant_what_they_say_in_the_admin(client, otp_login, locations):
    oakland = locations["oakland"]
    req = ConsultationRequestFactory(location=oakland)
    requests_url = reverse("admin:consultations_consultationrequest_changelist")
    articles_url = reverse("admin:pages_article_changelist")
    location_url = reverse("admin:locations_location_change", args=[oakland.pk])

    editor = make_staff("editor", group="Content editor")
    otp_login(client, editor)
    assert client.get(articles_url).status_code == 200
    assert client.get(requests_url).status_code == 403
    client.logout()

    desk = make_staff("desk", locations=[oakland])
    otp_login(client, desk)
    page = client.get(requests_url)
    assert page.status_code == 200
    actions = [
        name for name, _label in page.context["action_form"].fields["action"].choices
    ]
    assert "delete_selected" not in actions
    assert {"assign_to_me", "mark_contacting", "mark_spam"} <= set(actions)
    assert client.get(articles_url).status_code == 403
    location_page = client.get(location_url)
    assert location_page.status_code == 200
    assert location_page.context["has_change_permission"] is False
    assert (
        client.get(
            reverse("admin:consultations_consultationrequest_change", args=[req.pk])
        ).status_code
        == 200
    )
