"""Choice labels, read fast.

Django's ``get_<field>_display`` builds a dictionary of every choice on each call (about 60
microseconds for a pledge's state); the project page's pledge table and histories call it
hundreds of times when they are drawn. A model overrides the method for its busiest fields with
``choice_label``, which keeps each choices class's labels once per language, already translated:
the catalogues are read when a process starts and do not change while it runs.
"""

from __future__ import annotations

import functools

from django.db import models
from django.utils import translation


@functools.cache
def _labels(choices: type[models.Choices], language: str | None) -> dict:
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


def choice_label(choices: type[models.Choices], value) -> str:
    """What ``get_<field>_display`` shows for ``value``: its label in the active language, or
    the value itself when it is not one of the choices (or blank)."""
    return _labels(choices, translation.get_language()).get(value, str(value))
