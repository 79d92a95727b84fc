"""Signals other apps listen to, so they can follow a project without projects importing them.

``phase_entered`` is sent inside the transaction that moves a project forward, once for the
move, with ``project`` (locked, in its new phase), ``previous_phase`` and ``actor``. Receivers
write in that same transaction (funding releases the award tranches tied to the phases
entered), so a receiver's failure undoes the move.
"""

from django.dispatch import Signal

phase_entered = Signal()
