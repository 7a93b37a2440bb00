from django.urls import path

from answers import views

app_name = "answers"

urlpatterns = [
    path("", views.home, name="home"),
    path("ask/<slug:slug>/", views.answer_detail, name="detail"),
    path("ask/<slug:slug>/preview/", views.answer_preview, name="preview"),
]
