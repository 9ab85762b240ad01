"""CSV export: permission, current filter only, scoped, logged, formula-safe."""

import csv
import io

import pytest
from django.urls import reverse

from consultations.admin.export import csv_safe
from consultations.models import AccessLog, Status
from tests.factories import ConsultationRequestFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")
EXPORT = reverse("admin:consultations_consultationrequest_export")


def rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_front_desk_cannot_export(desk_client, oakland):
    ConsultationRequestFactory(location=oakland)
    assert desk_client.get(EXPORT).status_code == 403
    assert "triage-export" not in desk_client.get(CHANGELIST).content.decode()
    assert not AccessLog.objects.filter(action="export").exists()


def test_export_holds_exactly_the_filtered_rows_and_is_logged(
    manager_client, manager, oakland, portland
):
    new = ConsultationRequestFactory.create_batch(3, location=oakland)
    ConsultationRequestFactory(location=oakland, status=Status.CONTACTING)
    ConsultationRequestFactory(location=portland)  # not the manager's location

    page = manager_client.get(CHANGELIST, {"status": "new"})
    link = f"{EXPORT}?status=new"
    assert f'href="{link}"' in page.content.decode()

    response = manager_client.get(link)
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    exported = rows(response)
    assert sorted(r["Reference"] for r in exported) == sorted(r.reference for r in new)
    assert {r["Status"] for r in exported} == {"New"}
    assert exported[0]["Phone"].startswith("(510) 555-01")

    log = AccessLog.objects.get(action="export")
    assert (log.user, log.row_count, log.request) == (manager, 3, None)

    searched = rows(manager_client.get(EXPORT, {"q": new[0].last_name}))
    assert [r["Reference"] for r in searched] == [new[0].reference]
    assert AccessLog.objects.filter(action="export").count() == 2


def test_export_leaves_out_free_text_and_safety_answers(manager_client, oakland):
    ConsultationRequestFactory(
        location=oakland,
        message="Private message text",
        self_harm_answer="no",
        internal_notes="Staff-only note",
    )
    body = manager_client.get(EXPORT).content.decode()
    assert "Private message text" not in body
    assert "Staff-only note" not in body


def test_cells_that_a_spreadsheet_would_run_are_neutralised(manager_client, oakland):
    ConsultationRequestFactory(
        location=oakland,
        first_name='=HYPERLINK("http://evil.example","x")',
        last_name="+1+1",
        email="@SUM(1)@example.org",
    )
    row = rows(manager_client.get(EXPORT))[0]
    assert row["First name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["Last name"] == "'+1+1"
    assert row["Email"].startswith("'@")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("Robin", "Robin"),
        ("", ""),
        (None, ""),
        (3, "3"),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_bad_filter_parameters_redirect_instead_of_exporting_everything(
    manager_client, oakland
):
    ConsultationRequestFactory(location=oakland)
    response = manager_client.get(EXPORT, {"no_such_field__exact": "1"})
    assert response.status_code == 302
    assert not AccessLog.objects.filter(action="export").exists()
