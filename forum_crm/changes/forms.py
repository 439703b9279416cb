"""Forms of the review feed: which changes to show, accepting those shown."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, Regexp

from forum_crm.i18n import lazy_gettext as _l
from forum_crm.models import ReviewState

REVIEW_STATES = {
    ReviewState.TO_REVIEW: _l("To review"),
    ReviewState.ACCEPTED: _l("Accepted"),
    ReviewState.REVERTED: _l("Reverted"),
}
ALL_STATES = "all"


class ReviewFilterForm(FlaskForm):
    """?state=: the changes to review (the default), the accepted or reverted ones, or all of them."""

    class Meta:
        csrf = False  # a GET filter

    state = SelectField(_l("Show"), default=ReviewState.TO_REVIEW.value,
                        choices=[*((state.value, text) for state, text in REVIEW_STATES.items()),
                                 (ALL_STATES, _l("All"))])

    def chosen_state(self) -> ReviewState | None:
        """The state to show (None: all); anything unknown shows the changes to review."""
        if not self.validate():
            return ReviewState.TO_REVIEW
        return None if self.state.data == ALL_STATES else ReviewState(self.state.data)


class AcceptShownForm(FlaskForm):
    """Accept every change the page showed: their ids, comma-separated."""

    entry_ids = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,18}(,\d{1,18}){0,99}$")])

    def ids(self) -> list[int]:
        return [int(part) for part in self.entry_ids.data.split(",")]
