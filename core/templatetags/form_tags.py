from django import template

register = template.Library()


@register.filter
def error_summary(form, form_id=""):
    """[(anchor id or "", message)] for a form's errors, each message once.

    A field's errors point at the field; a radio or checkbox group at its
    first option, since the group has no single element with its id. Errors
    about the whole form (and hidden fields) point at ``form_id``, or at
    nothing when it is empty.
    """
    seen = set()
    items = []

    def add(anchor, error):
        if error not in seen:
            seen.add(error)
            items.append((anchor, error))

    for error in form.non_field_errors():
        add(form_id, error)
    for field in form:
        if field.is_hidden:
            for error in field.errors:
                add(form_id, error)
            continue
        anchor = field.id_for_label or f"{field.auto_id}_0"
        for error in field.errors:
            add(anchor, error)
    return items
