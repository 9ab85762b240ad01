"""The consultations admin: one module per concern.

- requests.py: the triage screens for consultation requests (list and change view);
- forms.py, inlines.py: what staff fill in on a request's page;
- filters.py: the change list's filters and phone search;
- export.py: the CSV export; display.py: times in the location's zone;
- dashboard.py: the per-location counts on the admin index;
- access_log.py: the read-only audit trail;
- booking (consultations/booking/admin.py): call schedules and the call sheet.
"""

from ..booking import admin as booking_admin  # noqa: F401
from . import access_log, requests  # noqa: F401  (registers the ModelAdmins)
