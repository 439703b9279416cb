"""The password rule, in one place: every form and command that sets a password uses it.

At least 12 characters (ASVS level 2), and not guessable: zxcvbn estimates how many guesses a password
takes, knowing the most common passwords, words, names, keyboard patterns, dates, and the words of this
account (its e-mail address, its person's and organisation's names) and of this site.
"""

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 1024
MIN_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" (about 10^8 guesses or more)
ESTIMATED_LENGTH = 72  # zxcvbn looks at this many characters at most
SITE_WORDS = (
    "forum", "forumcrm", "crm", "konsorcjum", "migracyjne", "migracyjny", "migracja", "migranci", "migrant",
    "integracja", "integracji", "wspolpraca", "wspolpracy", "współpraca", "współpracy", "haslo", "hasło",
)


def context_words(email: str | None, names: Iterable[str | None]) -> list[str]:
    """The words a guesser of this account's password would try first, longest first."""
    words = set(SITE_WORDS)
    if email:
        email = email.strip().lower()
        local, _at, domain = email.partition("@")
        words.update([email, local, *re.split(r"[._+-]", local), *domain.split(".")])
    for name in names:
        if name:
            words.update([name.lower(), *re.split(r"[\s.,_-]+", name.lower())])
    return sorted((word for word in words if len(word) >= 3), key=len, reverse=True)


def password_problem(password: str, *, email: str | None = None, names: Iterable[str | None] = ()) -> str | None:
    """None if `password` may be used by the account with this e-mail and names; otherwise why not."""
    if len(password) < MIN_LENGTH:
        return _("The password needs at least %(num)s characters.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("The password may have at most %(num)s characters.", num=MAX_LENGTH)
    words = context_words(email, names)
    rest = _without(password, words)
    if _score(password, words) >= MIN_SCORE and (rest == password or _score(rest, words) >= MIN_SCORE):
        return None
    if rest != password:
        return _("The password must not be built from your e-mail address, your name or the name of this site.")
    return _("This password is too common or too easy to guess. Add a few more unrelated words.")


def _score(password: str, words: list[str]) -> int:
    return zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=words)["score"]


def _without(password: str, words: list[str]) -> str:
    """The password with every context word taken out: what is left must be strong on its own."""
    for word in words:
        password = re.sub(re.escape(word), "", password, flags=re.IGNORECASE)
    return password


def account_context(account) -> dict:
    """password_problem's keywords for a user account: its e-mail, its person's and organisation's names."""
    if account is None:
        return {}
    person, organisation = account.person, account.organisation
    return {"email": account.email, "names": [
        person and person.first_name, person and person.last_name,
        organisation and organisation.name, organisation and organisation.short_name]}


def strong_password(form, field) -> None:
    """WTForms validator: the password rule, for the account in the form's `account` attribute."""
    problem = password_problem(field.data or "", **account_context(getattr(form, "account", None)))
    if problem:
        raise ValidationError(problem)
