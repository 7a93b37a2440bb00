from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("ask/<slug:slug>/report/", views.report, name="report"),
    path("ask/<slug:slug>/report/thanks/", views.thanks, name="thanks"),
]
