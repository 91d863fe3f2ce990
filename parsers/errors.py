"""The one exception the parsers raise: the input is not a policy document at all."""

from __future__ import annotations


class ParseError(ValueError):
    """Raised for input that holds no document: empty, binary garbage, a WAF or challenge page.

    `reason` is a short machine-readable code ("empty", "binary", "blocked", "not_a_document",
    "unreadable_pdf", "unreadable_ofd", ...); `str(err)` is one line a person can read.
    Anything that is a document, however messy, is returned with `warnings` instead.
    """

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
