"""The error services raise when they refuse data: it names the field, so a form can show it there."""


class FieldProblem(ValueError):
    """Data a service refuses: `field` and `message` (translated), and in `problems` every (field, message) found."""

    def __init__(self, field: str, message: str, *more: tuple[str, str]):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message
        self.problems: tuple[tuple[str, str], ...] = ((field, message), *more)


def refuse(problems: list[tuple[str, str]]) -> None:
    """Raise a FieldProblem naming every (field, message) in `problems`, if there is any."""
    if problems:
        raise FieldProblem(*problems[0], *problems[1:])
