from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "buron.training"
    label = "training"
    verbose_name = _("Trainings")

    def ready(self) -> None:
        from buron.accounts import privacy

        from .services.privacy import learner_trainings_export, learner_trainings_forget

        privacy.register(
            "trainings", export=learner_trainings_export, erase=learner_trainings_forget
        )
