"""The admin's screens, one a module: the admin registers only what is imported here."""

from desk.admin import (  # noqa: F401
    answer,
    comments,
    people,
    policies,
    reports,
    review_queue,
    shared,
    transitions,
    versions,
)
