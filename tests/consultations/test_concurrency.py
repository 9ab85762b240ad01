"""Concurrent submissions against PostgreSQL: nothing lost, nothing doubled."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from mailer.models import Message

from consultations.models import ConsultationRequest
from tests.consultations.helpers import aged_token
from tests.factories import LocationFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL row locks and real concurrency",
    ),
    pytest.mark.django_db(transaction=True),
]
URL = "/consultation/"
AREA_CODES = ["510", "503"]  # x 100 numbers in the fictional 555-01xx range


@pytest.fixture
def form_data(settings):
    settings.FORM_RATE_LIMIT = "100000/h"
    location = LocationFactory(slug="harbor")
    return {
        "first_name": "Sam",
        "last_name": "Reyes",
        "location": location.slug,
        "preferred_contact": "phone",
        "language": "en",
        "consent": "on",
    }


def in_thread(work):
    """Run work() with its own database connection, closed afterwards."""

    def run(*args):
        try:
            return work(*args)
        finally:
            connections.close_all()

    return run


def test_200_submissions_from_20_threads_are_all_stored_once(form_data):
    phones = [f"+1{area}555{n:04d}" for area in AREA_CODES for n in range(100, 200)]

    @in_thread
    def submit_batch(batch):
        client = Client()
        return [
            client.post(
                URL, {**form_data, "phone": phone, "form_token": aged_token()}
            ).status_code
            for phone in batch
        ]

    batches = [phones[i::20] for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = [code for batch in pool.map(submit_batch, batches) for code in batch]

    assert codes == [303] * 200
    stored = list(ConsultationRequest.objects.values_list("phone", flat=True))
    assert len(stored) == 200
    assert sorted(str(phone) for phone in stored) == sorted(phones)  # 0 lost, 0 twice
    assert Message.objects.count() == 200


def test_50_concurrent_reposts_of_one_form_create_one_request(form_data):
    data = {**form_data, "phone": "+15105550142", "form_token": aged_token()}
    start = threading.Barrier(50)

    @in_thread
    def repost(_):
        client = Client()
        start.wait()
        return client.post(URL, data).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(repost, range(50)))

    assert codes == [303] * 50
    consultation = ConsultationRequest.objects.get()
    assert consultation.repeat_of is None
    assert Message.objects.count() == 1
