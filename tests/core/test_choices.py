"""Choice labels read by ``core.choices.choice_label`` are what Django's own method shows."""

from django.utils import translation

from projects.models import Pledge, PledgeEvent, PledgeState, Role, TeamMembership


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
