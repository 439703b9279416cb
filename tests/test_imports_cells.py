"""A row's cells are checked one form field at a time, each distinct text of a column once a file
(forum_crm.imports.cells.RowChecker.clean): the data and the messages are those of the whole row form."""

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from forum_crm.imports.cells import RowChecker
from forum_crm.imports.forms import AttendanceRowForm, OrganisationRowForm, PersonRowForm
from forum_crm.imports.parsing import MAX_CELL

TEXTS = ["", "  ", "Anna", " Łódź ", "x" * 101, "x" * 2001, "Anna\u202eNowak", "tab\there", "line\nbreak",
         "anna@example.org", "Anna@Example.ORG", "anna@", "anna@exa mple.org", "anna@xn--ample-.org", "a@b",
         "żaneta@łąka.pl", "+48 600 100 200", "600-100-200", "12", "0000012345", "526-000-12-46", "1234567890",
         "www.example.org", "javascript:alert(1)", "https://example.org/a b", "edukacja, prawo; Edukacja",
         "Warszawa", "Gorzów Wlkp.", "x" * (MAX_CELL // 2)]


def whole_form(form_class: type, texts: dict[str, str]) -> dict[str, tuple]:
    """Each field's data and messages as the whole form gives them (as rows were checked before)."""
    form = form_class(formdata=None)
    form.process(MultiDict(texts))
    form.validate()
    return {name: (form[name].data, [str(error) for error in form[name].errors]) for name in texts}


@pytest.mark.parametrize("form_class", [PersonRowForm, OrganisationRowForm, AttendanceRowForm])
@pytest.mark.parametrize("language", ["pl", "en"])
def test_each_field_alone_and_each_text_once_give_what_the_whole_form_gave(ctx, form_class, language):
    checker = RowChecker(None, form_class, lambda _name: None)
    names = [field.name for field in form_class(formdata=None)]
    with force_locale(language):
        for shift in range(3):  # every text in every field, twice or more: the second time from what was kept
            for number in range(len(TEXTS)):
                texts = {name: TEXTS[(number + shift * index) % len(TEXTS)] for index, name in enumerate(names)}
                expected = whole_form(form_class, texts)
                cleaned = {name: checker.clean(name, text) for name, text in texts.items()}
                assert {name: (data, [str(error) for error in errors]) for name, (data, errors) in cleaned.items()} \
                    == expected, texts
    assert checker.cleaned  # texts were kept

