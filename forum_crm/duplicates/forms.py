"""The merge form: which of two people stays, and for each field whose value it keeps."""

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired, Optional

from forum_crm.duplicates.merging import MERGE_FIELDS
from forum_crm.i18n import lazy_gettext as _l

SIDES = [("first", _l("the first")), ("second", _l("the second"))]


class MergeForm(FlaskForm):
    """`kept` names the record that stays; each field of MERGE_FIELDS names the record whose value it keeps
    (left empty: the kept record's, or the other's where the kept one has none)."""

    kept = RadioField(_l("The record that stays"), choices=SIDES, default="first", validators=[InputRequired()])

    def take_from_other(self) -> set[str]:
        """The fields whose value comes from the record that goes."""
        return {name for name in MERGE_FIELDS if self[name].data and self[name].data != self.kept.data}


for _name in MERGE_FIELDS:
    setattr(MergeForm, _name, RadioField(choices=SIDES, validators=[Optional()]))
