"""An import checks each e-mail domain once a file (forum_crm.imports.emails): it accepts and rejects exactly the
addresses the forms' own Email validator does, with the same messages, whichever addresses came before."""

import itertools

import email_validator
import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms.validators import Email

from forum_crm.imports.emails import EmailByDomain, by_domain
from forum_crm.imports.forms import RowForm
from forum_crm.people.forms import PersonForm

LOCALS = ["anna", "Anna.Nowak", "a+b", "a_b-c", "postmaster", "PostMaster", "a" * 64, "a" * 65, "a" * 200,
          ".anna", "anna.", "an..na", "an na", "żaneta", "\"anna\"", "an\"na", "anna@b", "", "a/b", "a!b", "x\u0301"]
DOMAINS = ["example.org", "Example.ORG", "łąka.pl", "xn--ka-uia2k.pl", "xn--ample-.org", "exa mple.org", "b",
           "localhost", "test", "example.test", "invalid", "a.b", "-example.org", "example-.org", "ex--ample.org",
           "ab--cd.org", "example..org", "example.org.", ".example.org", "[127.0.0.1]", "１２３.com",
           "Ｄｏｍａｉｎ.com", "ex_ample.org", "exa\u0301mple.org", "x" * 63 + ".org", "x" * 64 + ".org",
           ".".join(["x" * 60] * 4) + ".pl", ".".join(["y" * 61] * 4) + ".pl", "\u202eexample.org",
           "ツ.life", "ß.de", "example.org\n"]
ADDRESSES = [*(f"{local}@{domain}" for local, domain in itertools.product(LOCALS, DOMAINS)),
             "", "anna", "@example.org", "anna@", "a@b@example.org", "Anna Nowak <anna@example.org>",
             "\"a@b\"@example.org", "anna@[IPv6:::1]", "anna@example.org@example.org", "a" * 250 + "@b.pl"]


class FormEmail(RowForm):
    email = PersonForm.email


class ImportEmail(RowForm):
    email = by_domain(PersonForm.email)


def checked(form, text: str) -> tuple:
    form.email.process(MultiDict({"email": text}))
    form.email.validate(form)
    return form.email.data, [str(error) for error in form.email.errors]


def test_the_import_field_has_the_form_fields_settings(ctx):
    field = ImportEmail(formdata=None).email
    validators = [type(validator) for validator in field.validators]
    assert EmailByDomain in validators and Email not in validators
    assert [type(v) for v in FormEmail(formdata=None).email.validators] == [
        Email if kind is EmailByDomain else kind for kind in validators]


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("order", ["as listed", "reversed", "by domain"])
def test_the_import_accepts_and_rejects_what_the_form_does(ctx, language, order):
    addresses = {"as listed": ADDRESSES, "reversed": ADDRESSES[::-1],
                 "by domain": sorted(ADDRESSES, key=lambda text: text.rpartition("@")[2])}[order]
    form, imported = FormEmail(formdata=None), ImportEmail(formdata=None)  # one import form: the domains it kept
    with force_locale(language):
        results = [(text, checked(form, text), checked(imported, text)) for text in addresses]
    assert [(text, mine) for text, _, mine in results] == [(text, theirs) for text, theirs, _ in results]
    accepted = {text for text, (_, errors), _ in results if not errors}
    assert {"anna@example.org", "a_b-c@Example.ORG", "anna@łąka.pl"} <= accepted
    assert not {"a@b", "anna@localhost", "an..na@example.org", "\"a@b\"@example.org"} & accepted
    assert imported.email_domains["example.org"] and imported.email_domains["Example.ORG"]
    assert not imported.email_domains["xn--ka-uia2k.pl"]  # Punycode: validated whole every time


def test_a_domain_is_checked_once_a_form(ctx, monkeypatch):
    calls = []
    real = email_validator.validate_email
    monkeypatch.setattr(email_validator, "validate_email", lambda text, **options: calls.append(text) or
                        real(text, **options))
    form = ImportEmail(formdata=None)
    for number in range(5):
        assert checked(form, f"person{number}@example.org")[1] == []
    assert checked(form, "bad..one@example.org")[1]
    assert calls == ["a@example.org", "bad..one@example.org"]
    assert ImportEmail(formdata=None).email_domains == {}  # kept by one form only
