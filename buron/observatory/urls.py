from django.urls import path

from . import views

app_name = "observatory"

urlpatterns = [
    path("observatoire/", views.dashboard, name="dashboard"),
    path("observatoire/export/<slug:table>.<str:fmt>", views.table_export, name="export"),
    path("observatoire/rapport-<int:year>.pdf", views.yearly_report, name="report"),
    path("observatoire/donnees-ouvertes.<str:fmt>", views.open_data, name="open_data"),
]
