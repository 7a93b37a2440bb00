from django.urls import path

from desk import keep_typing, outside_review, views

app_name = "desk"

urlpatterns = [
    # A draft at its public layout, for staff (never cached, noindex).
    path("ask/<slug:slug>/preview/", views.answer_preview, name="preview"),
    # A draft shared with an outside expert by a signed link (never cached, noindex).
    path("review/<str:token>/", outside_review.review_page, name="outside-review"),
]

# The answer form's session check and autosave (desk/keep_typing.py), for staff: under
# /admin/ (qasite/urls.py includes them ahead of the admin's own URLs, which would answer
# anything there), so that proxies treat them as the admin.
keep_typing_urlpatterns = [
    path("session/", keep_typing.session_status, name="session"),
    path("answers/<int:pk>/autosave/", keep_typing.autosave, name="autosave"),
    path("answers/<int:pk>/autosave/discard/", keep_typing.discard_autosave, name="discard"),
]
