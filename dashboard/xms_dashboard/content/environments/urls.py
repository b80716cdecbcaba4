from django.urls import re_path

from xms_dashboard.content.environments import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^add/$', views.AddView.as_view(), name='add'),
    re_path(r'^(?P<source_id>[^/]+)/credential/$',
            views.CredentialView.as_view(), name='credential'),
]
