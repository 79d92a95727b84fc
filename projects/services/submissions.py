"""Web forms that write are safe to send twice.

Every such form carries a one-time key (``{% submission_key %}``). ``submission_once`` stores the
key in the same transaction as the write it guards, under a unique constraint: a second copy of
the form (a double click, Back and send again, a browser retrying after a dropped connection)
finds the key taken, waiting for the first to commit if it is still running, and is given the
address of what the first one did instead of doing it again.
"""

import uuid
from collections.abc import Callable
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from ..models import FormSubmission

User = get_user_model()


class Submitted(NamedTuple):
    url: str  # where to see the result
    repeated: bool  # True: an earlier copy of the form did it; nothing was done now


def submission_result(*, actor: User, key: uuid.UUID | None) -> str | None:
    """Where the first submission of this key led, if it was made (and committed)."""
    if key is None or not actor.is_authenticated:
        return None
    return (
        FormSubmission.objects.filter(user=actor, key=key)
        .values_list("result_url", flat=True)
        .first()
    )


@transaction.atomic
def submission_once(*, actor: User, key: uuid.UUID | None, write: Callable[[], str]) -> Submitted:
    """Run ``write`` (a service call that returns its result's address) once for ``key``.

    The key is claimed before the write and committed with it; if the write fails, both roll
    back and the form can be sent again. With no key (a form from before this, or a script)
    the write simply runs.
    """
    if key is None:
        return Submitted(write(), False)
    try:
        with transaction.atomic():
            claim = FormSubmission.objects.create(user=actor, key=key, result_url="")
    except IntegrityError:
        return Submitted(submission_result(actor=actor, key=key) or "", True)
    url = write()
    FormSubmission.objects.filter(pk=claim.pk).update(result_url=url[:500])
    return Submitted(url, False)
