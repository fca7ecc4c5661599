from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self) -> None:
        # The lower apps announce; alerts listens (DESIGN.md "Layering": nothing below imports
        # alerts). dispatch_uid keeps one connection however often ready() runs.
        from accounts.signals import patient_data_changed, patient_item_removed
        from alerts import dispatch, signals, urgent_care
        from alerts.services.removals import on_patient_item_removed
        from journal.safety import register_symptom_notice_check

        patient_data_changed.connect(dispatch.enqueue_evaluation, dispatch_uid="alerts.evaluate")
        patient_item_removed.connect(on_patient_item_removed, dispatch_uid="alerts.item_removed")
        signals.notifications_due.connect(
            dispatch.enqueue_notifications, dispatch_uid="alerts.notify"
        )
        register_symptom_notice_check(urgent_care.symptom_notice)
