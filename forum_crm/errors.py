"""The error services raise when they refuse data: it names the field, so a form can show it there."""


class FieldProblem(ValueError):
    """Data a service refuses: `field` and `message` (translated), and in `problems` every (field, message) found.
    A field of None means the whole record (the message is shown above the form)."""

    def __init__(self, field: str | None, message: str, *more: tuple[str | None, str]):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message
        self.problems: tuple[tuple[str, str], ...] = ((field, message), *more)


def refuse(problems: list[tuple[str, str]]) -> None:
    """Raise a FieldProblem naming every (field, message) in `problems`, if there is any."""
    if problems:
        raise FieldProblem(*problems[0], *problems[1:])
