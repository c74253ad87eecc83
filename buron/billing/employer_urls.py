from django.urls import path

from . import employer_views

app_name = "billing_employer"

urlpatterns = [
    path("employeur/", employer_views.organisations, name="organisations"),
    path("employeur/<int:pk>/", employer_views.usage, name="usage"),
]
