"""The admin's form-limits script with the request limit it checks (static/js/form-limits.js)."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def form_limits_script():
    return format_html(
        '<script src="{}" data-request-max-bytes="{}" defer></script>',
        static("js/form-limits.js"),
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE or "",
    )
