"""The admin's screens, one a module: the admin registers only what is imported here."""

from desk.admin import (  # noqa: F401
    answer,
    people,
    policies,
    reports,
    review_queue,
    shared,
    transitions,
    versions,
)
