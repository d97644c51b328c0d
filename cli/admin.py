"""`studyflow admin`: operator actions on study workflows (reset from the audit trail,
terminate, re-run a delivery), each one recorded in the operations stream."""

from typing import Annotated, Any

import typer

from cli.common import DEFAULT_DIR, DataDir, _, console, fail
from cli.servers import Operator, Reason, login_name, settings_for, with_database, with_engine

app = typer.Typer(help="Operator actions on study workflows (each one audited).",
                  no_args_is_help=True)


@app.command("reset")
def admin_reset(study_id: str, reason: Reason, by: Operator = "",
                data_dir: DataDir = DEFAULT_DIR) -> None:
    """Replace the study's workflow run by a new one folded from its audit trail."""
    from api import engine
    from store import EventStore, operations

    async def body(pool: Any, client: Any) -> dict[str, Any]:
        store = EventStore(pool)
        events = await store.read_stream(study_id)
        if not events:
            raise engine.StudyNotFound(study_id)
        await operations.record(store, "WorkflowReset", {
            "study_id": study_id, "version": events[-1].version}, by=by or login_name(),
            reason=reason)
        return await engine.restart_from_events(client, study_id, events,
                                                settings_for(data_dir).temporal_task_queue)

    try:
        study = with_engine(data_dir, body)
    except engine.StudyNotFound:
        fail(_("no study {study}").format(study=study_id))
    from api import words

    console.print(_("{study} restarted from its {n} events: {state}").format(
        study=study_id, n=study["version"], state=words.state(study["state"])))


@app.command("terminate")
def admin_terminate(study_id: str, reason: Reason, by: Operator = "",
                    data_dir: DataDir = DEFAULT_DIR) -> None:
    """Stop the study's workflow for good (its audit trail stays; `admin reset` restarts it)."""
    from temporalio.service import RPCError

    from store import EventStore, operations

    async def body(pool: Any, client: Any) -> None:
        await client.get_workflow_handle(study_id).terminate(reason=reason)
        await operations.record(EventStore(pool), "WorkflowTerminated", {"study_id": study_id},
                                by=by or login_name(), reason=reason)

    try:
        with_engine(data_dir, body)
    except RPCError as e:
        fail(f"{study_id}: {e.message}")
    console.print(_("{study}: workflow terminated").format(study=study_id))


@app.command("redeliver")
def admin_redeliver(study_id: Annotated[str, typer.Option("--study")],
                    seq: Annotated[int, typer.Option(help="The append whose notices to send.")],
                    reason: Reason, by: Operator = "", data_dir: DataDir = DEFAULT_DIR) -> None:
    """Re-run the delivery activity for notices whose retries gave up (each person and channel
    still gets each notice once)."""
    import bootstrap
    from activities.models import DeliverInput
    from store import EventStore, operations

    async def body(pool: Any) -> int:
        sent = await bootstrap.notify_activities(settings_for(data_dir), pool).deliver(
            DeliverInput(study_id=study_id, seq=seq))
        await operations.record(EventStore(pool), "ActivityRerun", {
            "activity": "deliver_notifications", "study_id": study_id, "seq": seq,
            "sent": sent}, by=by or login_name(), reason=reason)
        return sent

    console.print(_("{n} messages sent").format(n=with_database(data_dir, body)))
