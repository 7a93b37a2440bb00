"""
The Django floor: the least a Django page can cost. One view reads a page's stored HTML
in one query and returns it. No middleware, no templates, no sessions: whatever qasite
spends above this is its own code and its middleware.

Same database settings as qasite (persistent connections, no health check), so the query
costs the same; `DATABASE_URL` names the database.
"""

import os

import dj_database_url

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["pages"]
MIDDLEWARE = []
ROOT_URLCONF = "floor.urls"
WSGI_APPLICATION = "floor.wsgi.application"
DATABASES = {
    "default": dj_database_url.config(conn_max_age=60, conn_health_checks=False),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
