from django import template
from django.urls import reverse

from ..admin.dashboard import location_triage_counts

register = template.Library()


@register.inclusion_tag("admin/consultations/triage_dashboard.html", takes_context=True)
def triage_dashboard(context):
    """Per-location counts on the admin index, for users who may see requests."""
    user = context["request"].user
    if not user.has_perm("consultations.view_consultationrequest"):
        return {"show": False}
    return {
        "show": True,
        "locations": list(location_triage_counts(user)),
        "changelist_url": reverse("admin:consultations_consultationrequest_changelist"),
    }
