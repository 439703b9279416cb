"""The columns of import and export files: their Polish and English headers, and other names we accept.

Headers are part of the file format, not of the interface: a file is read the same whatever
language the reader has chosen, so both names are constants here rather than translations.
Exports write the header in the reader's language; imports accept either, and the aliases, in any
case and with or without Polish letters ("Imię", "imie", "IMIE", "First name").
"""

from dataclasses import dataclass

from forum_crm.text import fold


def header_key(text: str) -> str:
    """What a header is matched by: folded, letters and digits only ("Adres e-mail:" -> "adresemail")."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


@dataclass(frozen=True)
class Column:
    """A column of a file. `field` None: a column we write in exports and skip on import."""

    field: str | None
    polish: str
    english: str
    aliases: tuple[str, ...] = ()

    def header(self, language: str) -> str:
        return self.polish if language == "pl" else self.english

    def header_keys(self) -> set[str]:
        return {header_key(name) for name in (self.polish, self.english, *self.aliases)}


EMAIL = Column("email", "E-mail", "E-mail", ("email", "adres e-mail", "adres email", "mail", "e-mail address",
                                              "email address", "poczta"))
PHONE = Column("phone", "Telefon", "Phone", ("tel", "nr telefonu", "numer telefonu", "phone number", "telephone",
                                             "komórka", "mobile", "telefon komórkowy", "tel. kom.", "nr tel.",
                                             "telefon kontaktowy", "mobile phone"))
TOWN = Column("town", "Miejscowość", "Town", ("miasto", "city", "locality", "siedziba", "place"))
VOIVODESHIP = Column("voivodeship", "Województwo", "Voivodeship", ("woj", "region", "province"))
FIRST_NAME = Column("first_name", "Imię", "First name", ("imiona", "given name", "forename"))
LAST_NAME = Column("last_name", "Nazwisko", "Last name", ("surname", "family name"))
NUMBER = Column(None, "Lp.", "No.", ("l.p.", "nr", "number"))  # the row's number in many a Polish list
ARCHIVED = Column(None, "Zarchiwizowana", "Archived", ("zarchiwizowany",))
ORGANISATION = Column(None, "Organizacja", "Organisation", ("organization", "instytucja", "institution"))
STATUS = Column(None, "Status", "Status")
ROLE = Column(None, "Rola", "Role")

ORGANISATION_COLUMNS = (
    Column("name", "Nazwa", "Name", ("nazwa organizacji", "organizacja", "organisation", "organization",
                                     "organisation name", "organization name", "pełna nazwa")),
    Column("short_name", "Skrót", "Short name", ("nazwa skrócona", "krótka nazwa", "akronim", "acronym",
                                                 "abbreviation")),
    Column("sector", "Sektor", "Sector", ("typ", "rodzaj", "type", "kind")),
    TOWN,
    VOIVODESHIP,
    Column("krs", "KRS", "KRS", ("numer krs", "nr krs", "krs number")),
    Column("nip", "NIP", "NIP", ("numer nip", "nr nip", "tax id", "tax number", "vat number")),
    Column("website", "Strona internetowa", "Website", ("strona", "strona www", "www", "web", "url", "web site",
                                                        "witryna", "adres strony")),
    EMAIL,
    PHONE,
    Column("description", "Opis", "Description", ("o organizacji", "about")),
    Column("areas", "Obszary działania", "Areas of work", ("obszary działań", "obszary", "areas", "tagi", "tags")),
    Column("languages", "Języki", "Languages", ("języki pracy", "working languages")),
    Column("forum_member_since", "Członek Forum od", "Forum member since", ("w forum od", "member since")),
    Column("consortium_member", "Członek Konsorcjum", "Consortium member",
           ("konsorcjum", "członek konsorcjum migracyjnego", "member of konsorcjum migracyjne")),
    Column(None, "Liczba osób", "People"),
    ARCHIVED,
)
# Imports also read what exports never write.
ORGANISATION_IMPORT_COLUMNS = (*ORGANISATION_COLUMNS, NUMBER)

PERSON_COLUMNS = (
    FIRST_NAME,
    LAST_NAME,
    EMAIL,
    PHONE,
    TOWN,
    VOIVODESHIP,
    Column("organisation", "Organizacja", "Organisation", ("organization", "nazwa organizacji", "instytucja",
                                                           "institution", "employer", "pracodawca")),
    Column("role_title", "Rola", "Role", ("stanowisko", "funkcja", "position", "job title")),
    Column("expertise", "Obszar ekspertyzy", "Expertise", ("ekspertyza", "specjalizacja", "kompetencje")),
    Column("forum_member", "Członek Forum", "Forum member", ("członkini forum", "członek/członkini forum")),
    Column("leader", "Lider/liderka", "Leader", ("lider", "liderka", "lider organizacji")),
    Column("directory_consent", "Zgoda na katalog", "Directory consent", ("consent to the directory", "zgoda rodo",
                                                                          "rodo", "gdpr consent")),
    Column("map_consent", "Zgoda na mapę", "Map consent", ("consent to the map",)),
    Column("consent_given_on", "Data zgody", "Consent given on", ("consent date",)),
    Column("consent_source", "Źródło zgody", "Source of consent", ("consent source",)),
    Column("notes", "Notatki", "Notes", ("uwagi", "komentarz", "comments")),
    ARCHIVED,
)
PERSON_IMPORT_COLUMNS = (
    *PERSON_COLUMNS,
    # one column for the whole name, split into first and last name (imports.cells.split_name)
    Column("full_name", "Imię i nazwisko", "Full name", ("name", "imię nazwisko", "imię, nazwisko", "osoba", "person",
                                                         "first and last name")),
    Column("reversed_name", "Nazwisko i imię", "Last and first name", ("nazwisko imię", "nazwisko, imię",
                                                                      "surname and name", "last name, first name")),
    NUMBER,
)

# An edition's participants as exported; the attendance import reads them back (with a column per day).
PARTICIPANT_COLUMNS = (FIRST_NAME, LAST_NAME, EMAIL, ORGANISATION, STATUS, ROLE)

ATTENDANCE_COLUMNS = (
    *PARTICIPANT_COLUMNS,
    Column("full_name", "Imię i nazwisko", "Full name", ("name", "nazwisko i imię", "uczestnik", "uczestniczka",
                                                         "participant", "osoba", "person")),
    Column(None, "Podpis", "Signature", ("podpisy",)),
    NUMBER,
)

CHANGE_LOG_COLUMNS = (
    Column(None, "Kiedy", "When"),
    Column(None, "Kto", "Who"),
    Column(None, "Rodzaj rekordu", "Kind of record"),
    Column(None, "Nr rekordu", "Record id"),
    Column(None, "Rekord", "Record"),
    Column(None, "Zmiana", "Action"),
    Column(None, "Pole", "Field"),
    Column(None, "Było", "Before"),
    Column(None, "Jest", "After"),
)
