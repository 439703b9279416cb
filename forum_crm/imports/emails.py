"""E-mail cells checked with each domain validated once per file.

WTForms' Email runs email_validator.validate_email on every address, and most of its cost is the domain part
(UTS-46 checks of each character): a file of 10,000 people at a few domains checked the same domains 10,000 times.
EmailByDomain accepts a plain address (an ASCII dot-atom local part, one @, an ASCII domain) without calling the
validator again once the same domain has been accepted with a plain local part, by validate_email's documented
result, and the whole address is within the 254 characters; everything else, and every rejection, goes through
Email itself, so the messages are Email's. tests/test_imports_emails.py compares it with Email over a corpus.
"""

import re

import email_validator
from wtforms import Field, Form
from wtforms.fields.core import UnboundField
from wtforms.validators import Email

# An ASCII dot-atom local part of common characters, and an ASCII host name: nothing validate_email normalizes
# but the domain's case, so every form of the address it measures is as long as the text.
PLAIN = re.compile(r"(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)@(?P<domain>[A-Za-z0-9.-]+)")
MAX_ADDRESS = 254  # email_validator's limit on the whole address (RFC 5321's path, less the brackets)
SAMPLE_LOCAL = "a"


class EmailByDomain(Email):
    """Email with the same settings, which remembers (in `form.email_domains`) the domains it has accepted."""

    def __init__(self, email: Email):
        super().__init__(message=email.message, granular_message=email.granular_message,
                         check_deliverability=email.check_deliverability, allow_smtputf8=email.allow_smtputf8,
                         allow_empty_local=email.allow_empty_local)

    def __call__(self, form: Form, field: Field) -> None:
        plain = PLAIN.fullmatch(field.data) if isinstance(field.data, str) else None
        domains = getattr(form, "email_domains", None)
        if plain is None or domains is None or self.check_deliverability or len(field.data) > MAX_ADDRESS:
            super().__call__(form, field)
            return
        domain = plain["domain"]
        if domain not in domains:
            domains[domain] = self._plain_domain(domain)
        if not domains[domain]:
            super().__call__(form, field)

    def _plain_domain(self, domain: str) -> bool:
        """Whether an address at `domain` with a plain local part is valid, its domain normalized to its own
        lower case (not Punycode turned into other characters)."""
        try:
            checked = email_validator.validate_email(f"{SAMPLE_LOCAL}@{domain}", check_deliverability=False,
                                                     allow_smtputf8=self.allow_smtputf8,
                                                     allow_empty_local=self.allow_empty_local)
        except email_validator.EmailNotValidError:
            return False
        return checked.domain == checked.ascii_domain == domain.lower()


def by_domain(field: UnboundField) -> UnboundField:
    """A form's field, as is but for its Email validators, which become EmailByDomain (see the module)."""
    validators = [EmailByDomain(validator) if type(validator) is Email else validator
                  for validator in field.kwargs.get("validators", ())]
    copy = UnboundField(field.field_class, *field.args, name=field.name, **{**field.kwargs, "validators": validators})
    copy.creation_counter = field.creation_counter  # the same place in the form
    return copy
