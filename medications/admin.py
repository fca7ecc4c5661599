from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin_audit import PatientDataAuditMixin
from medications.catalog import drug_keys, drug_search_keys
from medications.models import Drug, MedicationCourse
from medications.names import normalize_drug_name


class DrugAdminForm(forms.ModelForm):
    class Meta:
        model = Drug
        fields = [
            "name",
            "brand_names",
            "rxcui",
            "rxcui_verified",
            "drug_class",
            "serotonergic",
            "washout_days",
            "suicidality_warning",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        name = cleaned.get("name")
        brands = cleaned.get("brand_names") or []
        if not isinstance(brands, list) or not all(isinstance(b, str) for b in brands):
            self.add_error("brand_names", 'Enter a JSON list of names, e.g. ["Zoloft"].')
            return cleaned
        if name:
            cleaned["name"] = name.strip().lower()
            # Every generic and brand name must lead to exactly one drug.
            others = Drug.objects.exclude(pk=self.instance.pk)
            for key in drug_keys(cleaned["name"], brands):
                clash = others.filter(search_keys__contains=f"|{key}|").first()
                if clash is not None:
                    self.add_error(None, f"A name matches another catalog drug: {clash.name}.")
        return cleaned


@admin.register(Drug)
class DrugAdmin(admin.ModelAdmin):
    form = DrugAdminForm
    list_display = ["name", "brand_list", "serotonergic", "washout_days", "suicidality_warning"]
    list_filter = ["serotonergic", "suicidality_warning", "drug_class"]
    search_fields = ["name", "drug_class", "rxcui"]
    readonly_fields = ["search_keys"]
    ordering = ["name"]

    @admin.display(description="Brand names")
    def brand_list(self, obj: Drug) -> str:
        return ", ".join(obj.brand_names)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Drug], search_term: str
    ) -> tuple[QuerySet[Drug], bool]:
        """Match generic or brand names the way patients type them ("st johns", "ULTRAM")."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        key = normalize_drug_name(search_term)
        if key:
            results |= queryset.filter(search_keys__contains=f"|{key}")
        return results, may_have_duplicates

    def save_model(self, request: HttpRequest, obj: Drug, form: forms.Form, change: bool) -> None:
        obj.search_keys = drug_search_keys(obj.name, obj.brand_names)
        super().save_model(request, obj, form, change)


@admin.register(MedicationCourse)
class MedicationCourseAdmin(PatientDataAuditMixin, admin.ModelAdmin):
    list_display = ["id", "patient", "name", "drug", "dose", "unit", "started_on", "stopped_on"]
    list_filter = ["drug__serotonergic"]
    search_fields = ["patient__email", "name", "drug__name"]
    raw_id_fields = ["patient", "drug", "previous_course"]
    list_select_related = ["patient", "drug"]
    date_hierarchy = "started_on"
