from django.urls import re_path

from xms_dashboard.content.events import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
]
