from django import template

from desk import my_work

register = template.Library()


def _lists(context):
    """The signed-in person's work lists, worked out once per page."""
    if "_my_work" not in context.render_context:
        user = context["request"].user
        context.render_context["_my_work"] = my_work.my_work(user) if user.is_staff else []
    return context.render_context["_my_work"]


@register.simple_tag(takes_context=True)
def my_work_lists(context):
    return _lists(context)


@register.simple_tag(takes_context=True)
def my_work_count(context):
    return sum(w.count for w in _lists(context))
