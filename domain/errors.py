class RuleViolation(Exception):
    """A command the rules forbid now. `code` is stable (clients match on it); `message` says
    which rule, in words staff understand."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self):  # keep code and message when pickled (tests, process pools)
        return (type(self), (self.code, self.message))


class InputRefused(RuleViolation):
    """Refused for the values typed (a date out of order, the same committee twice), not for
    where the study stands: the form that sent it stays on offer."""


class BatchRefused(RuleViolation):
    """One command of a batch refused: the whole batch is (nothing of it is written)."""

    def __init__(self, code: str, message: str, index: int) -> None:
        super().__init__(code, message)
        self.index = index

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.code, self.message, self.index))
