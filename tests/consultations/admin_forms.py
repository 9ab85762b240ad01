"""POST data for the consultation-request change form in the admin."""

# New attempts are typed in one inline; the call log (read-only) is a second
# inline of the same model, which Django prefixes with "-2".
PREFIX = "call_attempts"
LOG_PREFIX = "call_attempts-2"


def change_data(consultation_request, *, new_attempts=(), **fields):
    """The change form as submitted unchanged, plus ``fields`` and new attempts.

    ``new_attempts`` are dicts of inline fields (channel, outcome, note, by,
    at_0/at_1); ``fields`` override the main form (status, scheduled_for_0…).
    """
    existing = list(consultation_request.call_attempts.all())
    data = {
        "status": consultation_request.status,
        "assigned_to": consultation_request.assigned_to_id or "",
        "scheduled_for_0": "",
        "scheduled_for_1": "",
        "internal_notes": consultation_request.internal_notes,
        f"{PREFIX}-TOTAL_FORMS": str(len(new_attempts)),
        f"{PREFIX}-INITIAL_FORMS": "0",
        f"{PREFIX}-MIN_NUM_FORMS": "0",
        f"{PREFIX}-MAX_NUM_FORMS": "1000",
        f"{LOG_PREFIX}-TOTAL_FORMS": str(len(existing)),
        f"{LOG_PREFIX}-INITIAL_FORMS": str(len(existing)),
        f"{LOG_PREFIX}-MIN_NUM_FORMS": "0",
        f"{LOG_PREFIX}-MAX_NUM_FORMS": "1000",
    }
    for index, attempt in enumerate(existing):
        data[f"{LOG_PREFIX}-{index}-id"] = str(attempt.pk)
        data[f"{LOG_PREFIX}-{index}-request"] = str(consultation_request.pk)
    for index, attempt in enumerate(new_attempts):
        data[f"{PREFIX}-{index}-request"] = str(consultation_request.pk)
        for name, value in attempt.items():
            data[f"{PREFIX}-{index}-{name}"] = value
    data.update(fields)
    return data
