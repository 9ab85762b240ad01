import datetime as dt
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from core.caching import cached_page
from core.models import SiteSettings
from core.protection import ip_hash, limit_form_posts

from . import structured_data
from .forms import WaitlistForm
from .models import Location
from .services import NOT_COMING_SOON, waitlist_entry_create

logger = logging.getLogger(__name__)

Status = Location.Status
LIST_GROUPS = [
    (Status.OPEN, _("Open clinics")),
    (Status.COMING_SOON, _("Coming soon")),
    (Status.TEMPORARILY_CLOSED, _("Temporarily closed")),
    (Status.CLOSED, _("Closed clinics")),
]


def _seconds_until_stale(locations, now: dt.datetime) -> int:
    """How long a page about these locations stays true.

    It changes when an open location opens or closes, and at local midnight
    (the list of upcoming closures moves on).
    """
    moments = []
    for location in locations:
        local = location.local_now(now)
        midnight = location.at_local(local.date() + dt.timedelta(days=1), dt.time())
        moments.append(midnight.astimezone(dt.UTC))
        status = getattr(location, "status_now", None)
        if status and status.changes_at:
            moments.append(status.changes_at.astimezone(dt.UTC))
    if not moments:
        return 3600
    return max(0, int((min(moments) - now).total_seconds()))


def _attach_status(locations, now):
    """Give each open location its ``status_now`` (OpenStatus) and
    ``hours_today`` ([(opens, closes)] in its own zone) for templates."""
    for location in locations:
        location.status_now = (
            location.open_status(now) if location.status == Status.OPEN else None
        )
        location.hours_today = (
            location.intervals_on(location.local_now(now).date())
            if location.status_now
            else None
        )


@require_safe
@cached_page
def location_list(request):
    now = timezone.now()
    locations = list(Location.objects.public().with_hours())
    _attach_status(locations, now)
    groups = [
        (heading, [loc for loc in locations if loc.status == status])
        for status, heading in LIST_GROUPS
    ]
    response = render(
        request,
        "locations/location_list.html",
        {"locations": locations, "groups": [g for g in groups if g[1]]},
    )
    response.cache_ttl = _seconds_until_stale(locations, now)
    return response


def _directions_url(location: Location) -> str:
    if location.latitude is not None and location.longitude is not None:
        target = f"{location.latitude},{location.longitude}"
    else:
        target = (
            f"{location.street_address}, {location.city}, "
            f"{location.state} {location.postal_code}"
        )
    return "https://www.openstreetmap.org/directions?" + urlencode({"to": target})


def _find(locations, slug: str) -> Location:
    for location in locations:
        if location.slug == slug:
            return location
    raise Http404


def _render_detail(request, location, locations, *, form=None, refusal="", status=200):
    """The location page. ``locations`` is every public location, already loaded
    with their hours, so the nearest open ones cost no further query."""
    now = timezone.now()
    local_today = location.local_now(now).date()
    _attach_status([location], now)
    nearest = []
    if location.status != Status.OPEN:
        # Someone who cannot be seen here is offered the nearest open clinic
        # (and, for one coming soon, its free phone consultation).
        nearest = location.nearest_open(locations)
        _attach_status(nearest, now)
    if location.status == Status.COMING_SOON and form is None and not refusal:
        form = WaitlistForm()
    if form is not None or refusal:
        # A form carries a CSRF token (and, after a failed submit, what the
        # patient typed); a refusal is about one submission. Neither may be
        # kept by a shared cache.
        request.private_page = True
    site = SiteSettings.load()
    context = {
        "location": location,
        "form": form,
        "refusal": refusal,
        "nearest": nearest,
        "weekly_hours": location.weekly_hours(),
        "closures": location.upcoming_closures(local_today),
        "directions_url": _directions_url(location),
        "jsonld": structured_data.medical_clinic(
            location,
            url=settings.SITE_URL + location.get_absolute_url(),
            brand_name=site.brand_name,
            today=local_today,
        ),
    }
    response = render(request, "locations/location_detail.html", context, status=status)
    response.cache_ttl = _seconds_until_stale([location, *nearest], now)
    return response


@require_safe
@cached_page
def location_detail(request, slug):
    locations = list(Location.objects.public().with_hours().with_prices())
    return _render_detail(request, _find(locations, slug), locations)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@limit_form_posts
def waitlist_join(request, slug):
    if request.method != "POST":
        # A bookmarked or reloaded form address: show the form itself.
        return redirect(reverse("locations:detail", args=[slug]) + "#waitlist-form")
    locations = list(Location.objects.public().with_hours().with_prices())
    location = _find(locations, slug)
    if location.status != Status.COMING_SOON:
        return _render_detail(
            request,
            location,
            locations,
            refusal=NOT_COMING_SOON,
            status=409,
        )
    form = WaitlistForm(request.POST)
    valid = form.is_valid()
    if form.is_bot:
        logger.info("Waitlist honeypot filled (ip %s)", ip_hash(request)[:12])
        return redirect("locations:waitlist_thanks", slug=location.slug)
    if valid:
        data = form.cleaned_data
        try:
            waitlist_entry_create(
                location=location,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                preferred_contact=data["preferred_contact"],
                consent_text_version=settings.CONSENT_TEXT_VERSION,
                ip_hash=ip_hash(request),
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("locations:waitlist_thanks", slug=location.slug)
    return _render_detail(request, location, locations, form=form)


@require_safe
def waitlist_thanks(request, slug):
    location = get_object_or_404(Location.objects.public(), slug=slug)
    request.private_page = True
    return render(request, "locations/waitlist_thanks.html", {"location": location})
