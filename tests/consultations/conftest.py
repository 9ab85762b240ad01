import pytest

from tests.consultations.helpers import aged_token
from tests.factories import LocationFactory


@pytest.fixture
def location(db):
    return LocationFactory(slug="harbor", name="Harbor")


@pytest.fixture
def valid_data(location):
    return {
        "first_name": "Marisol",
        "last_name": "Quintero",
        "phone": "(510) 555-0142",
        "email": "marisol@patient.example",
        "location": location.slug,
        "preferred_contact": "phone",
        "call_times": ["morning", "evening"],
        "language": "es",
        "interest": "anxiety",
        "message": "Panic attacks most evenings since spring.",
        "heard_about": "My therapist",
        "self_harm": "no",
        "consent": "on",
        "website": "",
        "form_token": aged_token(),
    }


@pytest.fixture
def service_kwargs(location):
    return {
        "location": location,
        "first_name": "Marisol",
        "last_name": "Quintero",
        "phone": "+15105550142",
        "email": "marisol@patient.example",
        "preferred_contact": "phone",
        "call_times": ["morning"],
        "language": "en",
        "interest": "anxiety",
        "message": "Panic attacks most evenings since spring.",
        "heard_about": "My therapist",
        "self_harm_answer": "no",
        "submission_token": "token-1",
        "ip_hash": "f" * 64,
        "source_page": "/locations/harbor/",
    }
