"""The admin's screens (the admin finds this module and registers what it imports)."""

from desk.admin import answers, reports  # noqa: F401
