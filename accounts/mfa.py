"""Two-factor authentication: who must have a second factor, and the one check of it.

Organisers, council admins and approvers hold powers over other people's councils, pledges and
content, so a stolen password alone must not be enough to use them. allauth's MFA app holds the
authenticators (an authenticator app, passkeys and security keys, recovery codes) and asks for a
code at sign-in; this module says whether a person has one, and the permission checks of the
privileged powers call ``require_second_factor`` so that every way in (page, API, Wagtail)
refuses the same way, with words that say what to do.
"""

from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_lazy as _

from core.errors import NotAllowed

# Recovery codes alone are no second factor: they only stand in for a lost one.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

# The powers, in the words of the refusal ("before you can …").
MANAGE_COUNCIL = "manage_council"
APPROVE_PLEDGES = "approve_pledges"
ORGANISE = "organise"
MANAGE_FUNDER = "manage_funder"
POWERS = {
    MANAGE_COUNCIL: _(
        "You need to set up two-factor authentication before you can manage your council’s "
        "members, domains and limits."
    ),
    APPROVE_PLEDGES: _(
        "You need to set up two-factor authentication before you can approve pledges."
    ),
    ORGANISE: _(
        "You need to set up two-factor authentication before you can use your organiser powers."
    ),
    MANAGE_FUNDER: _(
        "You need to set up two-factor authentication before you can manage your funder’s "
        "members and calls."
    ),
}


class SecondFactorRequired(NotAllowed):
    """A privileged power asked for by someone without a second factor (403, with its code so
    the API's clients and the pages can tell it from other refusals)."""

    default_code = "second_factor_required"


def user_has_second_factor(*, user) -> bool:
    """Has this person an authenticator app or a passkey/security key? Remembered on the user
    object for the rest of the request (a page may ask several times)."""
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(user, "_has_second_factor", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()
        user._has_second_factor = cached
    return cached


def user_is_privileged(*, user) -> bool:
    """Organisers, verified admins and approvers of any council, and verified admins of any
    funder: the people who must enrol."""
    from councils.models import Membership, MembershipRole, MembershipStatus

    if user is None or not user.is_authenticated:
        return False
    if user.is_organiser:
        return True
    if Membership.objects.filter(
        user=user,
        status=MembershipStatus.VERIFIED,
        role__in=(MembershipRole.ADMIN, MembershipRole.APPROVER),
    ).exists():
        return True
    # Funder admins (funding.FunderMembership), through the reverse relation: accounts sits
    # below funding and imports nothing from it. The values are FunderRole.ADMIN and
    # MembershipStatus.VERIFIED.
    return user.funder_memberships.filter(status=MembershipStatus.VERIFIED, role="admin").exists()


def user_needs_second_factor(*, user) -> bool:
    """Privileged and not enrolled yet: asked to set it up, and their powers refused."""
    return user_is_privileged(user=user) and not user_has_second_factor(user=user)


def require_second_factor(*, user, power: str) -> None:
    """Raise ``SecondFactorRequired`` unless the person has a second factor. Called by the
    permission checks of the privileged powers once the role itself has been found."""
    if not user_has_second_factor(user=user):
        raise SecondFactorRequired(str(POWERS[power]))


def acts_as_organiser(user) -> bool:
    """An organiser's standing to act where they are no member (any council, any project):
    True for an enrolled organiser, False for everyone else, and a refusal for an organiser
    without a second factor."""
    if user is None or not user.is_authenticated or not user.is_organiser:
        return False
    require_second_factor(user=user, power=ORGANISE)
    return True
