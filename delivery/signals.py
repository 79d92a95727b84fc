"""Signals other apps listen to, so they can follow delivery without delivery importing them.

``milestone_reached`` is sent inside the transaction that first marks a milestone done, with
``milestone`` (locked) and ``actor``. Receivers write in that same transaction (funding
releases the award tranches tied to the milestone), so a receiver's failure undoes the change.
"""

from django.dispatch import Signal

milestone_reached = Signal()
