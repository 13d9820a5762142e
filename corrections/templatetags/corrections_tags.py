from django import template

register = template.Library()


@register.filter
def grouped_choices(form, name: str):
    """The ticked-or-not entries of a form's grouped checkboxes (zones, themes)."""
    return form.grouped_choices(name)
