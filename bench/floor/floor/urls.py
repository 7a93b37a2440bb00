from django.urls import re_path
from pages.views import stored_page

urlpatterns = [re_path(r"^", stored_page)]
