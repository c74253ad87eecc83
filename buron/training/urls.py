from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("formations/", views.programme_list, name="list"),
    path("formations/mes-formations/", views.mine, name="mine"),
    path("formations/conseiller/", views.adviser, name="adviser"),
    path("formations/animation/", views.trainer_home, name="trainer"),
    path("formations/animation/feuilles/<int:pk>/", views.sheet, name="sheet"),
    path(
        "formations/animation/sessions/<int:pk>/qualiopi.zip",
        views.evidence_zip,
        name="evidence",
    ),
    path("formations/animation/feuilles/<int:pk>/pdf/", views.sheet_pdf, name="sheet_pdf"),
    path("formations/financeurs/<int:pk>/etat/", views.funder_statement, name="statement"),
    path("formations/sessions/<int:pk>/inscription/", views.enrol, name="enrol"),
    path("formations/inscriptions/<int:pk>/annuler/", views.enrolment_cancel, name="cancel"),
    path(
        "formations/inscriptions/<int:pk>/certificat/",
        views.certificate_pdf,
        name="certificate",
    ),
    path("formations/emargement/<int:pk>/", views.sign, name="sign"),
    path("formations/avis/<str:token>/", views.survey, name="survey"),
    path(
        "formations/animation/sessions/<int:pk>/avis/",
        views.session_results,
        name="session_results",
    ),
    path(
        "formations/animation/programmes/<int:pk>/avis/",
        views.programme_results,
        name="programme_results",
    ),
    path(
        "formations/animation/sessions/<int:pk>/facturer/",
        views.session_invoice,
        name="session_invoice",
    ),
    path("formations/<slug:slug>/", views.programme_detail, name="programme"),
]
