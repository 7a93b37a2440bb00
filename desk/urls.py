from django.urls import path

from desk import views

app_name = "desk"

urlpatterns = [
    # A draft at its public layout, for staff (never cached, noindex).
    path("ask/<slug:slug>/preview/", views.answer_preview, name="preview"),
]
