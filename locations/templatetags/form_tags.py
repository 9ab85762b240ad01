from django import template

register = template.Library()


@register.filter
def error_summary(form, form_id=""):
    """[(anchor id, message)] for a form's errors, each message once.

    Non-field errors point at the form itself; a radio group at its first
    option, since the group has no single element with its id.
    """
    seen = set()
    items = []
    for error in form.non_field_errors():
        if error not in seen:
            seen.add(error)
            items.append((form_id, error))
    for field in form:
        anchor = field.id_for_label or f"{field.auto_id}_0"
        for error in field.errors:
            if error not in seen:
                seen.add(error)
                items.append((anchor, error))
    return items
