"""django-simple-history in the admin, read-only and as scoped as the change view.

The package's "history form" page saves a POST (a revert) after only a view
permission check, and looks the row up in the unscoped history table. Here a
past version can be looked at, never saved back, and both history pages find
the row through ``get_queryset()``, so an admin that limits rows (by location,
for example) answers 404 outside them, exactly like its change view.
"""

import copy

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

READ_METHODS = ("GET", "HEAD")


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def revert_disabled(self, request, obj=None):
        return True

    def visible_object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self.visible_object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.visible_object_or_404(request, object_id)
        if request.method not in READ_METHODS:
            raise PermissionDenied
        self.past_version_viewed(request, obj)
        # Inputs shown disabled: nothing on the page looks editable.
        request.viewing_past_version = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if getattr(request, "viewing_past_version", False):
            # Copies: declared fields are shared with the change view's form.
            form.base_fields = copy.deepcopy(form.base_fields)
            for field in form.base_fields.values():
                field.disabled = True
        return form

    def past_version_viewed(self, request, obj):
        """Hook for admins that must record who looked at a past version."""
