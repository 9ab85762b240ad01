import pytest

from locations.demo import load_demo_locations
from locations.models import Location
from tests.consultations.helpers import aged_token
from tests.factories import LocationFactory, make_staff


@pytest.fixture
def locations(db):
    """The demo locations (hours and holidays included): oakland, portland, sf."""
    load_demo_locations()
    return {loc.slug: loc for loc in Location.objects.all()}


@pytest.fixture
def oakland(locations):
    return locations["oakland"]


@pytest.fixture
def portland(locations):
    return locations["portland"]


@pytest.fixture
def front_desk(oakland):
    """Front-desk staff working for Oakland only."""
    return make_staff("desk-oakland", locations=[oakland], first_name="Dana")


@pytest.fixture
def manager(oakland):
    """A clinic manager for Oakland (may export)."""
    return make_staff("manager-oakland", locations=[oakland], group="Clinic manager")


@pytest.fixture
def desk_client(client, front_desk, otp_login):
    return otp_login(client, front_desk)


@pytest.fixture
def manager_client(client, manager, otp_login):
    return otp_login(client, manager)


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
        # She asked for a copy by email: without it no acknowledgement is sent.
        "email_copy": "on",
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
        "email_copy": True,
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
