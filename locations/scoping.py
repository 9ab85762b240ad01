"""Per-location access in the admin: staff see only their locations' rows.

Staff belong to locations through ``StaffLocation``; superusers see every
location. Anything outside a user's locations answers 404 (not 403), so a
guessed id does not even reveal that the row exists.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404

from .models import Location, StaffLocation


def staff_location_ids(user) -> frozenset | None:
    """The ids of the user's locations, or None for "all" (superusers).

    Cached on the user object, which lives for one request.
    """
    if user.is_superuser:
        return None
    cached = getattr(user, "_staff_location_ids", None)
    if cached is None:
        cached = frozenset(
            StaffLocation.objects.filter(user=user).values_list(
                "location_id", flat=True
            )
        )
        user._staff_location_ids = cached
    return cached


def staff_locations(user):
    ids = staff_location_ids(user)
    locations = Location.objects.all()
    return locations if ids is None else locations.filter(pk__in=ids)


class StaffLocationFilter(admin.RelatedFieldListFilter):
    """The location filter, listing only the user's own locations."""

    def field_choices(self, field, request, model_admin):
        return [(loc.pk, str(loc)) for loc in staff_locations(request.user)]


class LocationScopedAdminMixin:
    """Limit a ModelAdmin to rows whose ``location_field`` is one of the user's.

    Covers the change list, search, filters, actions and exports (all built on
    ``get_queryset``), the object views (404 outside the user's locations) and
    the location choices in forms.
    """

    location_field = "location"

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def scope_queryset(self, request, queryset):
        ids = staff_location_ids(request.user)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.location_field}__in": ids})

    def in_user_locations(self, request, obj) -> bool:
        ids = staff_location_ids(request.user)
        return ids is None or getattr(obj, f"{self.location_field}_id") in ids

    def get_object(self, request, object_id, from_field=None):
        # Memoised per request: the views below look the object up before
        # Django's own view does it again.
        cache = request.__dict__.setdefault("_scoped_objects", {})
        key = (self.model, object_id, from_field)
        if key not in cache:
            cache[key] = super().get_object(request, object_id, from_field)
        return cache[key]

    def get_object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the admin index with a "does not exist" message;
        # we answer 404 for rows that are missing or outside the user's locations.
        raise Http404

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or self.in_user_locations(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or self.in_user_locations(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or self.in_user_locations(request, obj)
        )

    def history_view(self, request, object_id, extra_context=None):
        # simple_history falls back to the latest historical copy when the
        # queryset has no such row; check the scope first.
        self.get_object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.location_field:
            kwargs["queryset"] = staff_locations(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def colleagues(user):
    """Active staff who share a location with ``user``, and ``user`` themself."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    ids = staff_location_ids(user)
    if ids is not None:
        users = users.filter(
            Q(staff_locations__location_id__in=ids) | Q(pk=user.pk)
        ).distinct()
    return users.order_by("first_name", "username")
