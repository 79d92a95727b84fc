"""Choice labels, read fast.

Django's ``get_<field>_display`` builds a dictionary of every choice on each call (about 60
microseconds for a pledge's state); the project page's pledge table and histories call it
hundreds of times when they are drawn. A model overrides the method for its busiest fields with
``choice_label``, which keeps each choices class's labels once; the label is still translated
into the active language on every call.
"""

from __future__ import annotations

import functools

from django.db import models


@functools.cache
def _labels(choices: type[models.Choices]) -> dict:
    return dict(choices.choices)


def choice_label(choices: type[models.Choices], value) -> str:
    """What ``get_<field>_display`` shows for ``value``: its label, or the value itself when it
    is not one of the choices (or blank)."""
    return str(_labels(choices).get(value, value))
