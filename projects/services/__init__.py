"""Writes for projects, needs and pledges. Every way in (web, API, admin, commands) calls these."""

from .moderation import (
    project_feature,
    project_hide,
    project_restore,
    project_unfeature,
    public_body_add,
    public_body_update,
)
from .pledges import (
    pledge_accept,
    pledge_approve,
    pledge_decline,
    pledge_fulfil,
    pledge_offer,
    pledge_record_decision,
    pledge_refuse,
    pledge_withdraw,
    recalculate_totals,
)
from .projects import (
    EDITABLE_FIELDS,
    need_add,
    need_mark_met,
    need_remove,
    need_reopen,
    project_create,
    project_set_phase,
    project_set_state,
    project_update,
)

__all__ = [
    "EDITABLE_FIELDS",
    "need_add",
    "need_mark_met",
    "need_remove",
    "need_reopen",
    "pledge_accept",
    "pledge_approve",
    "pledge_decline",
    "pledge_fulfil",
    "pledge_offer",
    "pledge_record_decision",
    "pledge_refuse",
    "pledge_withdraw",
    "project_create",
    "project_feature",
    "project_hide",
    "project_restore",
    "project_set_phase",
    "project_set_state",
    "project_unfeature",
    "project_update",
    "public_body_add",
    "public_body_update",
    "recalculate_totals",
]
