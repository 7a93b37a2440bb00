from django import template

from citations.formatting import format_reference

register = template.Library()


@register.filter
def ama(source):
    """A source formatted as an AMA reference (safe HTML)."""
    return format_reference(source)
