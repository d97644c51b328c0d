"""A study schedules the delivery of its notices only when a channel could carry them: without
a mailer or a webhook they stay in the app (the inbox), and no activity runs for them."""

from temporalio.api.enums.v1 import EventType

from activities.notify import NotifyActivities
from settings import Settings

ROUTINE = {"role": "coordinator", "kind": "decision", "message": "m", "urgent": False}
URGENT = {**ROUTINE, "kind": "escalation", "urgent": True}


def test_deliverable_only_where_a_channel_carries_the_notices(pool):
    def channels(**env: str | None) -> NotifyActivities:
        return NotifyActivities(pool, Settings(**{"SMTP_URL": None, "WEBHOOK_URL": None,  # type: ignore[arg-type]
                                                  **env}))
    none, mail = channels(), channels(SMTP_URL="smtp://127.0.0.1:2525")
    hook = channels(WEBHOOK_URL="http://127.0.0.1:9/hook", WEBHOOK_SECRET="s")
    assert not none.deliverable([ROUTINE, URGENT])
    assert mail.deliverable([ROUTINE])  # a person without a digest gets it at once
    assert not hook.deliverable([ROUTINE]) and hook.deliverable([ROUTINE, URGENT])
    assert not mail.deliverable([]) and not hook.deliverable([])


async def test_without_a_channel_notices_stay_in_the_app_and_no_delivery_runs(harness,
                                                                                read_models):
    sid = await harness.create()
    await harness.walk(sid, until="-", on=await harness.today())
    assert await read_models.notifications(study_id=sid)  # the walk raised notices, in-app
    events = (await harness.client.get_workflow_handle(sid).fetch_history()).events
    scheduled = [e.activity_task_scheduled_event_attributes.activity_type.name for e in events
                 if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    local = [e for e in events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
             and e.marker_recorded_event_attributes.marker_name == "core_local_activity"]
    assert local and "deliver_notifications" not in scheduled  # the appends ran, locally
