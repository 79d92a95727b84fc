"""Text in a known language, so a page can mark the parts that are not in its own.

Fixed vocabularies (council types and regions from the register, service areas) are shown in
the reader's language where a translation exists. Where none does, the English is shown and
``content_lang`` marks it ``lang="en-GB"`` on a Welsh page (WCAG 3.1.2, language of parts).
"""

from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import get_language


class Term(str):
    """A string that knows its language (``content_lang`` reads ``.language``)."""

    language: str

    def __new__(cls, text: str, language: str) -> "Term":
        term = super().__new__(cls, text)
        term.language = language
        return term


def reader_language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def in_reader_language(value: str, translations: Mapping[str, str]) -> Term:
    """``value`` (English, from a fixed vocabulary) in the reader's language when known."""
    if value in translations:
        return Term(str(translations[value]), reader_language())
    return Term(value, settings.LANGUAGE_CODE)
