"""Choice labels read by ``core.choices.choice_label`` are what Django's own method shows."""

from django.utils import translation

from projects.models import (
    Kind,
    Need,
    Phase,
    Pledge,
    PledgeEvent,
    PledgeState,
    Role,
    TeamMembership,
)


def test_labels_follow_the_active_language_as_djangos_method_does():
    pledge = Pledge(state=PledgeState.ACCEPTED, role=Role.DEVELOPER)
    for language in ("en", "cy"):
        with translation.override(language):
            assert pledge.get_state_display() == str(PledgeState.ACCEPTED.label)
            assert pledge.get_role_display() == str(Role.DEVELOPER.label)
    with translation.override("cy"):
        assert pledge.get_state_display() != "Accepted"  # translated, not the English label


def test_a_blank_or_unknown_value_shows_as_itself():
    event = PledgeEvent(from_state="", to_state="offered")
    assert event.get_from_state_display() == ""
    assert event.get_to_state_display() == "Offered"
    assert TeamMembership(role="retired-role").get_role_display() == "retired-role"


def test_labels_kept_for_one_language_are_not_shown_in_another():
    with translation.override("cy"):
        welsh = Pledge(state=PledgeState.OFFERED).get_state_display()
    with translation.override("en"):
        assert Pledge(state=PledgeState.OFFERED).get_state_display() == "Offered"
    assert welsh != "Offered"


def test_a_need_names_its_role_and_phase_in_the_readers_language():
    need = Need(kind=Kind.TIME, role=Role.DEVELOPER, amount=4, phase=Phase.BETA)
    for language in ("en", "cy"):
        with translation.override(language):
            assert need.get_role_display() == str(Role.DEVELOPER.label)
            assert need.phase_display == str(Phase.BETA.label).lower()
            assert str(Role.DEVELOPER.label) in str(need)
