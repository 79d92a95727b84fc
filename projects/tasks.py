"""Scheduled work on projects that is not an email (the scheduler names these in
``PIPELINE_SCHEDULE``)."""

from django_tasks import task


@task()
def lapse_overdue_conditions_task(scheduled_for: str = "") -> int:
    """Conditional pledges still waiting when their project's pledging deadline passed lapse."""
    from .services.pledges import pledges_lapse_overdue

    return pledges_lapse_overdue()
