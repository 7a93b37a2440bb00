from django.urls import path

from answers import views
from answers.feeds import RecentlyReviewedFeed
from answers.page_cache import public_page

app_name = "answers"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("policies/<slug:kind>/", views.policy, name="policy"),
    path("search/", views.search, name="search"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("ask/<slug:slug>/", views.answer_detail, name="detail"),
    path("ask/<slug:slug>/preview/", views.answer_preview, name="preview"),
    path("feed/", public_page(RecentlyReviewedFeed()), name="feed"),
]
