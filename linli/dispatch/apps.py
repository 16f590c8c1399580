from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "linli.dispatch"
    label = "dispatch"
    verbose_name = _("Smart dispatch")

    def ready(self) -> None:
        from linli.accounts.scopes import register, register_work_places

        from .scoping import decision_places, decisions_rule, examples_rule

        register("dispatch.dispatchdecision", decisions_rule)
        register("dispatch.trainingexample", examples_rule)
        register_work_places(decision_places)

        from linli.core.schedule import register as register_periodic

        from .tasks import retrain_dispatch_model

        # The first model is queued by build_demo_city (or trained by hand); retraining starts one period later.
        register_periodic(
            "dispatch.retrain", retrain_dispatch_model, lambda: timedelta(hours=settings.DISPATCH_RETRAIN_HOURS)
        )
