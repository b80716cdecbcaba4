from django.urls import re_path

from xms_dashboard.content.discover import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^preflight/$', views.PreflightView.as_view(),
            name='preflight'),
    re_path(r'^(?P<vm_id>[^/]+)/$', views.DetailView.as_view(),
            name='detail'),
]
