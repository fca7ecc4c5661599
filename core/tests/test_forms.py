"""core.forms.submit_form: the pages' one path from a service's FieldErrors to the form."""

from django import forms

from core.errors import FieldErrors
from core.forms import submit_form


class DoseForm(forms.Form):
    dose = forms.IntegerField()


def refuse(errors):
    def service(data):
        raise FieldErrors(errors)

    return service


def test_it_returns_what_the_service_returns():
    assert submit_form(DoseForm({"dose": "5"}), lambda data: data["dose"] * 2) == 10


def test_it_does_not_call_the_service_with_an_invalid_form():
    calls = []
    form = DoseForm({"dose": "five"})
    assert submit_form(form, calls.append) is None
    assert calls == []
    assert "dose" in form.errors


def test_it_puts_the_services_field_errors_on_the_form():
    form = DoseForm({"dose": "5"})
    result = submit_form(form, refuse({"dose": ["Too much."], "changed_on": ["Too late."]}))
    assert result is None
    assert not form.is_valid()
    assert form.errors["dose"] == ["Too much."]
    # A field the form lacks becomes a form-wide error rather than being lost.
    assert form.non_field_errors() == ["Too late."]
