from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import ManyToManyField, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from accounts.admin_audit import PatientDataAuditMixin
from medications.aliases import drug_alias_apply, unrecognised_names
from medications.catalog import drug_keys, drug_lookup, drug_search_keys
from medications.classes import CLASSES, unknown_class_codes
from medications.models import Drug, DrugAlias, MedicationCourse, SerotonergicTier
from medications.names import normalize_drug_name, resolution_key, strip_decorations


class DrugAdminForm(forms.ModelForm):
    classes = forms.MultipleChoiceField(
        choices=[(code, f"{code}: {info.label}") for code, info in CLASSES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The classes the pair rules read (docs/clinical-rules.md#drug-classes).",
    )

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
            "classes",
            "ingredients",
            "source",
            "note",
        ]
        help_texts = {
            "ingredients": "Only for a combination product (e.g. Ultracet: tramadol and "
            "acetaminophen); each ingredient is checked on its own.",
            "source": "The published source of the tier and classes (label section, Boyer & "
            "Shannon 2005, Gillman 2006, an FDA communication). Required unless the tier is "
            "none and there is no class.",
        }

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
        self._clean_classes_and_source(cleaned)
        self._clean_ingredients(cleaned)
        return cleaned

    def _clean_classes_and_source(self, cleaned: dict[str, Any]) -> None:
        unknown = unknown_class_codes(cleaned.get("classes", []))
        if unknown:
            self.add_error("classes", f"Unknown class code(s): {', '.join(unknown)}.")
        tier = cleaned.get("serotonergic")
        source = (cleaned.get("source") or "").strip()
        cleaned["source"] = source
        if not source and (cleaned.get("classes") or (tier and tier != SerotonergicTier.NONE)):
            self.add_error(
                "source",
                "Cite the published source of this tier or class, or set the tier to none "
                "and remove the classes.",
            )

    def _clean_ingredients(self, cleaned: dict[str, Any]) -> None:
        ingredients = list(cleaned.get("ingredients") or [])
        if not ingredients:
            return
        if self.instance.pk is not None and any(d.pk == self.instance.pk for d in ingredients):
            self.add_error("ingredients", "A drug cannot be an ingredient of itself.")
        products = [d.name for d in ingredients if d.ingredients.exists()]
        if products:
            self.add_error(
                "ingredients",
                f"List the single ingredients, not combination products: {', '.join(products)}.",
            )
        if self.instance.pk is not None and self.instance.products.exists():
            used_in = ", ".join(self.instance.products.values_list("name", flat=True))
            self.add_error(
                "ingredients",
                f"This drug is an ingredient of {used_in}, so it cannot be a combination "
                "product itself.",
            )


@admin.register(Drug)
class DrugAdmin(admin.ModelAdmin):
    form = DrugAdminForm
    list_display = [
        "name",
        "brand_list",
        "serotonergic",
        "class_list",
        "ingredient_list",
        "washout_days",
        "suicidality_warning",
    ]
    list_filter = ["serotonergic", "suicidality_warning", "drug_class"]
    search_fields = ["name", "drug_class", "rxcui"]
    readonly_fields = ["search_keys"]
    filter_horizontal = ["ingredients"]
    ordering = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Drug]:
        return super().get_queryset(request).prefetch_related("ingredients")

    @admin.display(description="Brand names")
    def brand_list(self, obj: Drug) -> str:
        return ", ".join(obj.brand_names)

    @admin.display(description="Classes")
    def class_list(self, obj: Drug) -> str:
        return ", ".join(obj.classes)

    @admin.display(description="Ingredients")
    def ingredient_list(self, obj: Drug) -> str:
        return ", ".join(sorted(ingredient.name for ingredient in obj.ingredients.all()))

    def formfield_for_manytomany(
        self, db_field: "ManyToManyField[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> "forms.ModelMultipleChoiceField[Any] | None":
        if db_field.name == "ingredients":
            # Single drugs only: a product is not an ingredient of another product.
            kwargs["queryset"] = Drug.objects.filter(ingredients__isnull=True).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

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


class DrugAliasAdminForm(forms.ModelForm):
    class Meta:
        model = DrugAlias
        fields = ["name", "drug"]
        help_texts = {
            "name": "The name as patients type it; stored without case, spaces, strengths, "
            "forms and salts.",
        }

    def clean_name(self) -> str:
        key = resolution_key(self.cleaned_data["name"])
        if not strip_decorations(self.cleaned_data["name"])[1]:
            raise forms.ValidationError("Enter a medicine name, not only a strength or form.")
        # An alias may not redirect a name the catalog already knows (it would be ignored:
        # catalog names are looked up first).
        known = drug_lookup(self.cleaned_data["name"])
        if known is not None and not DrugAlias.objects.filter(name=key, drug=known).exists():
            raise forms.ValidationError(f"This name is already recognised as {known.name}.")
        if DrugAlias.objects.exclude(pk=self.instance.pk).filter(name=key).exists():
            raise forms.ValidationError("An alias with this name already exists.")
        return key


@admin.register(DrugAlias)
class DrugAliasAdmin(admin.ModelAdmin):
    """Aliases, and the page listing unrecognised names ("unrecognised/") to add them from."""

    form = DrugAliasAdminForm
    list_display = ["name", "drug", "created_at"]
    search_fields = ["name", "drug__name"]
    autocomplete_fields = ["drug"]
    change_list_template = "admin/medications/drugalias/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.unrecognised_view)
        return [
            path("unrecognised/", view, name="medications_drugalias_unrecognised"),
            *super().get_urls(),
        ]

    def unrecognised_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Unrecognised medicine names",
            "opts": self.opts,
            "names": unrecognised_names(),
            "can_add": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/medications/drugalias/unrecognised.html", context)

    def save_model(
        self, request: HttpRequest, obj: DrugAlias, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        linked = drug_alias_apply(obj)
        self.message_user(
            request,
            f"Linked the matching medicines of {len(linked)} patient(s) to {obj.drug.name}; "
            "their combinations are being re-checked.",
        )
