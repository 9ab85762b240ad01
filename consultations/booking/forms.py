"""The call-time choice on the consultation form.

Offered only once a location is chosen (``/consultation/?location=<slug>``,
or the form sent once); a location that publishes no times gets no field at
all, so the form is exactly the one it was before booking existed. Works
without JavaScript: a plain list of radio buttons grouped by day.
"""

from functools import cached_property

from django import forms
from django.utils.translation import gettext_lazy as _

from locations.models import Location
from locations.zones import zone_label

from .services import location_free_slots, published_schedule
from .slots import parse_slot_key
from .wording import day_label, time_label

# Enough choice without a wall of buttons on a phone.
DAYS_OFFERED = 5
ANYTIME = ""
TAKEN_MESSAGE = _(
    "That time was just taken, please pick another. We have kept your request, "
    "so if you would rather not choose, we will call you when we can."
)


class SlotChoiceMixin(forms.Form):
    slot = forms.CharField(
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )

    def offer_slots(self, location) -> None:
        """Offer ``location``'s free call times, or remove the field."""
        self.slot_location = None
        self.slot_days = []
        schedule = published_schedule(location) if location else None
        slots = location_free_slots(location, schedule=schedule) if schedule else []
        if not slots:
            del self.fields["slot"]
            return
        self.slot_location = location
        zone = location.zone
        days = []
        for slot in slots:
            day = slot.starts_at.date()
            if not days or days[-1][0] != day:
                if len(days) == DAYS_OFFERED:
                    break
                days.append((day, []))
            days[-1][1].append((slot.key, time_label(slot.starts_at, zone)))
        field = self.fields["slot"]
        field.label = _("When should we call you? (%(zone)s)") % {
            "zone": zone_label(location.time_zone)
        }
        field.widget.choices = [
            (ANYTIME, _("Call me when you can")),
            *[(key, label) for _day, times in days for key, label in times],
        ]
        self._slot_day_of = {
            key: day_label(day) for day, times in days for key, _label in times
        }
        self.initial.setdefault("slot", ANYTIME)

    @cached_property
    def bookable_locations(self):
        """Open locations that publish call times, for "choose your clinic
        first" links when none is chosen yet."""
        if self.slot_location is not None:
            return []
        return list(
            Location.objects.accepting_requests()
            .filter(call_schedule__published=True)
            .filter(call_schedule__windows__isnull=False)
            .distinct()
        )

    @property
    def slot_choice_widgets(self):
        """(the "call me when you can" radio, [{day, open, times: [radios]}]).

        Plain dicts rather than Django's per-option widget templates: a week
        of times is over a hundred radios, and rendering each through the
        widget templates cost more than the rest of the page.
        The first day, and a day holding the chosen time, start open.
        """
        chosen = str(self["slot"].value() or ANYTIME)
        radios = [
            {
                "value": value,
                "label": label,
                "id": f"id_slot_{index}",
                "checked": value == chosen,
            }
            for index, (value, label) in enumerate(self.fields["slot"].widget.choices)
        ]
        grouped = []
        for radio in radios[1:]:
            day = self._slot_day_of[radio["value"]]
            if not grouped or grouped[-1]["day"] != day:
                grouped.append({"day": day, "open": not grouped, "times": []})
            grouped[-1]["times"].append(radio)
            grouped[-1]["open"] |= radio["checked"]
        return radios[0], grouped

    def clean_slot(self):
        value = self.cleaned_data.get("slot") or ANYTIME
        if value == ANYTIME:
            return None
        starts_at = parse_slot_key(value)
        if starts_at is None:
            raise forms.ValidationError(_("Choose one of the times offered."))
        return starts_at

    def check_slot_location(self, location) -> None:
        """A time is for the clinic it was shown for; the patient may have
        changed the clinic since (without JavaScript the list cannot follow)."""
        shown_for = self.data.get(self.add_prefix("slots_for"), "")
        starts_at = self.cleaned_data.get("slot")
        if starts_at and location and shown_for != location.slug:
            self.add_error(
                "slot",
                _(
                    "The times you saw were for another clinic. Choose a time for "
                    "%(name)s, or “Call me when you can”."
                )
                % {"name": location.name},
            )
