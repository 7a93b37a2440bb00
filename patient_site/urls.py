from django.urls import path

from delivery.pages import public_page
from patient_site import views
from patient_site.feeds import RecentlyReviewedFeed, feed_keys

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("policies/<slug:kind>/", views.policy, name="policy"),
    path("search/", views.search, name="search"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("ask/<slug:slug>/", views.answer_detail, name="detail"),
    path("feed/", public_page(RecentlyReviewedFeed(), keys=feed_keys), name="feed"),
]
