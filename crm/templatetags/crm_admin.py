from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(duration: timedelta) -> int:
    """Whole minutes of a duration, rounded up (a lockout of 59.5 minutes says 60)."""
    seconds = duration.total_seconds()
    return int(-(-seconds // 60))
