"""Errors a user can cause with their input, each with a message they can act on."""


class BadPDF(Exception):
    """The file cannot be read as a PDF with a text layer (exit code 2, HTTP 4xx).

    ``reason`` is a one-line, human-readable explanation, e.g. "the PDF is
    encrypted with a password" or "no text layer (scanned pages?)".
    """

    def __init__(self, reason: str, *, code: str = "bad_pdf") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code

    def __str__(self) -> str:
        return self.reason


class RulesError(Exception):
    """A file under rules/ does not validate; the message names the file and the entry."""
