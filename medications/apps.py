from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "medications"

    def ready(self) -> None:
        # The patient's history charts (journal) mark starts, stops and dose changes without
        # importing this sibling app: core holds the hook, this app fills it.
        from core.chart_series import register_marker_source
        from medications.selectors import chart_markers

        register_marker_source(chart_markers)
