"""What organisers do to projects and public bodies: feature, hide with a reason, restore, add.

Every function checks ``actor.is_organiser`` and raises ``NotAllowed`` otherwise, whatever the way
in (Wagtail admin, command, test). Hiding and restoring email the project's owner (the email is
recorded in the same transaction, and sent by a worker).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.mfa import ORGANISE, require_second_factor
from activity.models import ActivityAction
from activity.services import activity_record
from core.errors import Conflict, InvalidInput, NotAllowed
from core.validators import check_web_address
from councils.models import Council, Nation

from .. import notifications
from ..models import PUBLIC_STATES, Project

User = get_user_model()

MAX_REASON_LENGTH = 2000


def _require_organiser(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_organiser:
        raise NotAllowed(_("Only an organiser may do this."))
    require_second_factor(user=actor, power=ORGANISE)


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("owner").get(pk=project.pk)


@transaction.atomic
def project_feature(*, actor: User, project: Project) -> Project:
    """Mark a published, visible project as featured: the home page's "Featured projects"."""
    _require_organiser(actor)
    project = _lock(project)
    if project.is_hidden:
        raise Conflict(_("A hidden project cannot be featured. Restore it first."))
    if project.state not in PUBLIC_STATES:
        raise Conflict(_("Only a published project can be featured."))
    if not project.is_featured:
        project.is_featured = True
        project.save(update_fields=["is_featured", "updated_at"])
    return project


@transaction.atomic
def project_unfeature(*, actor: User, project: Project) -> Project:
    _require_organiser(actor)
    project = _lock(project)
    if project.is_featured:
        project.is_featured = False
        project.save(update_fields=["is_featured", "updated_at"])
    return project


@transaction.atomic
def project_hide(*, actor: User, project: Project, reason: str) -> Project:
    """Hide a project from listings, search and the API; the owner is told why."""
    _require_organiser(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give a reason; the project's owner will see it."), field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(
            _("The reason must be %(limit)s characters or fewer.")
            % {"limit": f"{MAX_REASON_LENGTH:,}"},
            field="reason",
        )
    project = _lock(project)
    if project.is_hidden:
        raise Conflict(_("This project is already hidden."))
    project.is_hidden = True
    project.hidden_reason = reason
    project.is_featured = False
    # save() (not update()) so the search index hears of it too.
    project.save(update_fields=["is_hidden", "hidden_reason", "is_featured", "updated_at"])
    notifications.project_moderated(project, "project_hidden")
    activity_record(
        actor=actor, action=ActivityAction.PROJECT_HIDDEN, project=project, reason=reason
    )
    return project


@transaction.atomic
def project_restore(*, actor: User, project: Project, reason: str = "") -> Project:
    """Show a hidden project again; the owner is told. The optional reason is for the
    activity log only."""
    _require_organiser(actor)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(
            _("The reason must be %(limit)s characters or fewer.")
            % {"limit": f"{MAX_REASON_LENGTH:,}"},
            field="reason",
        )
    project = _lock(project)
    if not project.is_hidden:
        raise Conflict(_("This project is not hidden."))
    project.is_hidden = False
    project.hidden_reason = ""
    project.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
    notifications.project_moderated(project, "project_restored")
    activity_record(
        actor=actor, action=ActivityAction.PROJECT_RESTORED, project=project, reason=reason
    )
    return project


# --- Public bodies --------------------------------------------------------------------------

PUBLIC_BODY_FIELDS = ("name", "short_name", "nation", "region", "website", "name_cy")


def _unique(field: str, base: str, limit: int) -> str:
    base = base[:limit] or "body"
    value, n = base, 2
    while Council.objects.filter(**{field: value}).exists():
        suffix = f"-{n}"
        value = f"{base[: limit - len(suffix)]}{suffix}"
        n += 1
    return value


def _clean_public_body(values: dict) -> dict:
    unknown = set(values) - set(PUBLIC_BODY_FIELDS)
    if unknown:
        raise InvalidInput(_("These fields cannot be set: %s") % ", ".join(sorted(unknown)))
    cleaned = {name: (value or "").strip() for name, value in values.items()}
    if "name" in cleaned and not cleaned["name"]:
        raise InvalidInput(_("Enter the official name"), field="name")
    if "short_name" in cleaned and not cleaned["short_name"]:
        raise InvalidInput(_("Enter the short name"), field="short_name")
    if "nation" in cleaned and cleaned["nation"] not in Nation.values:
        raise InvalidInput(_("Choose a nation"), field="nation")
    for name, value in cleaned.items():
        limit = Council._meta.get_field(name).max_length
        if limit and len(value) > limit:
            raise InvalidInput(
                _("This must be %(limit)s characters or fewer.") % {"limit": limit}, field=name
            )
    if cleaned.get("website"):
        check_web_address(cleaned["website"], field="website")
    return cleaned


@transaction.atomic
def public_body_add(
    *,
    actor: User,
    name: str,
    short_name: str,
    nation: str,
    region: str = "",
    website: str = "",
    name_cy: str = "",
) -> Council:
    """A public body that is not on the local authority register (on_register=False)."""
    _require_organiser(actor)
    values = _clean_public_body(
        {
            "name": name,
            "short_name": short_name,
            "nation": nation,
            "region": region,
            "website": website,
            "name_cy": name_cy,
        }
    )
    slug_base = slugify(values["short_name"]) or "public-body"
    council = Council(
        **values,
        slug=_unique("slug", slug_base, 140),
        code=_unique("code", "PB-" + slug_base.upper(), 16),
        authority_type="PB",
        authority_type_name=_("Other public body"),
        on_register=False,
    )
    council.save()
    return council


@transaction.atomic
def public_body_update(*, actor: User, council: Council, **fields) -> Council:
    """Correct a public body an organiser added. Register councils change only by import."""
    _require_organiser(actor)
    council = Council.objects.select_for_update().get(pk=council.pk)
    if council.on_register:
        raise Conflict(_("Councils on the register change only when the register is imported."))
    values = _clean_public_body(fields)
    for name, value in values.items():
        setattr(council, name, value)
    council.save()
    return council
