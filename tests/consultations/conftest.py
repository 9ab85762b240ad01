import pytest

from locations.demo import load_demo_locations
from locations.models import Location

from .triage_factories import make_staff


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
