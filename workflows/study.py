"""StudyWorkflow: one durable workflow per study. It coordinates and nothing else: commands
arrive as updates, the domain decides, an activity makes the events durable (event store +
read models in one transaction), then the state evolves. Legal clocks are one timer, set to
the next alarm the domain computes.

The append is a local activity: it runs in the worker, inside the workflow task that decided it,
and the update is answered by that same task. Its result is recorded (a marker) only when the task
completes: a task lost after the append (a worker killed between the two) leaves the audit record
ahead of the run. The run then takes up the record's state (`_resync`) and decides again: the
record, not the run, is the study."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    import domain
    from activities.models import DeliverInput
    from domain.commands import ANY_COMMAND
    from domain.events import AmendmentSubmitted, Event, SafetyEventReported
    from domain.model import FINISHED
    from domain.regulation import LEGAL_TIME_ZONE
    from store.models import Appended, AppendRequest, NewEvent, Reply, StoredAnswer
    from workflows.models import (
        SYSTEM_ACTOR,
        SYSTEM_ROLE,
        BatchInput,
        BulkInput,
        BulkOutcome,
        BulkResult,
        CommandInput,
        CommandResult,
        StudyInput,
    )

_COMMANDS = ANY_COMMAND
# The server refuses more than 2,000 updates per run (STACK-NOTES): start afresh well before.
MAX_UPDATES_PER_RUN = 1000
# A run continues as new past this many history events: a ten-year study (a timer, a reminder,
# an append per legal alarm, year after year) keeps a bounded history whatever its pace. A
# command to a study evicted from the worker's cache replays the run's history first: measured
# (bench/replay.py, two runs on 2 shared cores) 0.34-0.40 ms and 1.2 KiB per event, 590-750 ms
# at 1,900 events, 65-103 ms at 175-253; an open study's run is ~70 events. 300 keeps the worst
# replay near 100-120 ms (the cold-command target: p50 < 150 ms, p99 < 500 ms).
HISTORY_LIMIT = 300
# Runs started before measured their history against this one (replays must renew where they did)
FIRST_HISTORY_LIMIT = 2000
SHORT_RUNS_PATCH = "short-runs"
APPEND_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), backoff_coefficient=2,
                           maximum_interval=timedelta(seconds=10),
                           non_retryable_error_types=["ConcurrencyError"])
# E-mail and webhooks may be down for hours: keep trying, less and less often, for a week.
DELIVERY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), backoff_coefficient=2,
                             maximum_interval=timedelta(hours=1),
                             maximum_attempts=200)
CLOCK = {"actor": SYSTEM_ACTOR, "role": SYSTEM_ROLE, "reason": "legal clock"}


# Validators' decisions kept for their handlers: at most the updates of one activation (the
# server lets 10 be in flight per workflow); past that, the ones left behind are forgotten
VALIDATED_KEPT = 64
RENEWING = "Renewing"  # a command refused for a moment: retry
STUDY_BEHIND = "StudyBehind"  # the record kept moving ahead of the run (see _durably)
# Added after histories were recorded: a study decides under domain.RULES, the deadline table
# checked against the texts (issue 15); a run replaying a history recorded before decides under
# the edition it was recorded under (1), and a study created under it adopts this one.
RULES_PATCH = "rules-edition-2"
# Legal days in Paris: "today" and the clocks' wake-up at 00:00 Paris time (histories recorded
# before it replay on UTC days)
PARIS_PATCH = "legal-days-paris"
# One timer per alarm: a command that leaves the next alarm where it was keeps the timer armed
# (runs recorded before cancelled it and started another at every command: two more history
# events, and server work, per command)
STEADY_TIMER_PATCH = "steady-timer"
# The patches above in one marker: a run that records it takes them all (each marker is a
# history event and an update of the run's search attributes on the server, seven per run
# before). Runs recorded before decide patch by patch, as they were recorded; a later patch
# gets its own marker until a next edition gathers it.
EDITION_PATCH = "edition-2026-11"
EDITION = frozenset({"renew-on-history-length", SHORT_RUNS_PATCH, "group-commit", RULES_PATCH,
                     PARIS_PATCH, "deliver-notifications", STEADY_TIMER_PATCH})
# The append as a local activity (issue 19, bench/lifecycle.py): a command costs one workflow
# task instead of two and no activity task, which halved the Temporal server's CPU per command.
# Runs recorded before appended by a regular activity, and wait for the marker to take it up.
LOCAL_APPEND_PATCH = "local-append"
# The editions, newest first: a new run records the first; a run recorded under an older one
# keeps its patches (and takes each later patch with a marker of its own)
EDITIONS = (("edition-2026-12", EDITION | {LOCAL_APPEND_PATCH}), (EDITION_PATCH, EDITION))
# How often one decision may meet a record ahead of the run before the command is refused
RESYNC_ATTEMPTS = 3
_T = TypeVar("_T")


def _rule_error(code: str, message: str) -> ApplicationError:
    return ApplicationError(message, code, type="RuleViolation", non_retryable=True)


@workflow.defn
class StudyWorkflow:
    @workflow.init
    def __init__(self, inp: StudyInput) -> None:
        self.study_id = inp.study_id
        self.state: domain.StudyState | None = (
            domain.StudyState.model_validate(inp.carried_state) if inp.carried_state else None)
        self.view: dict[str, Any] = domain.view(self.state) if self.state else {}
        self.lock = asyncio.Lock()
        self.waiting: list[_Ticket] = []  # commands accepted, not yet applied
        self.outbox: list[int] = list(inp.outbox)  # appends whose notices await delivery
        self.updates = 0
        self.changed = False
        self.renewing = False  # the run waits for its handlers to finish, then continues as new
        self.history_limit: int | None = None
        self.rules: int | None = None  # the rules edition this run decides under
        self.zone: Any = None  # the zone of legal days this run keeps (UTC or Paris)
        # what the validator decided for a command (by its idempotency key): the handler, run
        # next in the same activation, reuses it when nothing it depends on changed (validators
        # do not run on replay: there the handler decides)
        self.validated: dict[str, _Decision] = {}
        self.edition: frozenset[str] | None = None  # the patches of the edition recorded

    def _patched(self, patch: str) -> bool:
        """workflow.patched, through the edition that gathers the patches of its time."""
        if self.edition is None:
            self.edition = next((patches for name, patches in EDITIONS
                                 if workflow.patched(name)), frozenset())
        return patch in self.edition or workflow.patched(patch)

    @workflow.run
    async def run(self, inp: StudyInput) -> dict[str, Any]:
        # Added after histories were recorded: their runs never renewed on history length.
        self.history_limit = (inp.history_limit or (
            HISTORY_LIMIT if self._patched(SHORT_RUNS_PATCH) else FIRST_HISTORY_LIMIT)
        ) if self._patched("renew-on-history-length") else None
        alarm = _Alarm() if self._patched(STEADY_TIMER_PATCH) else None
        while True:
            self.changed = False
            if alarm is not None:
                await alarm.wait(self._next_wake(),
                                 lambda: self.changed or self._should_renew())
            else:
                try:
                    await workflow.wait_condition(lambda: self.changed or self._should_renew(),
                                                  timeout=self._until_next_alarm())
                except TimeoutError:
                    pass
            if self._should_renew():
                self.renewing = True
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(StudyInput(
                    study_id=self.study_id, history_limit=inp.history_limit,
                    carried_state=self.state.model_dump(mode="json", exclude_defaults=True)
                    if self.state else None,
                    outbox=self.outbox))
            async with self.lock:
                if self.state is not None:
                    await self._adopt_rules()
                    await self._advance_clocks()
            # outside the lock: a mail server down for hours must not hold up commands
            await self._deliver()
            async with self.lock:
                if self.state is not None:
                    if self.state.status in FINISHED:
                        await workflow.wait_condition(workflow.all_handlers_finished)
                        return domain.view(self.state)

    # --- commands -------------------------------------------------------------------------
    @workflow.update
    async def command(self, inp: CommandInput) -> CommandResult:
        """Commands that arrive while an append is in flight wait together; the next holder of
        the lock decides them all in order and makes them durable in one append (group commit):
        each still gets its own answer, or its own refusal."""
        self._accepted()
        # Added after histories were recorded: their runs applied one command per append.
        if not self._patched("group-commit"):
            return await self._command_alone(inp)
        ticket = _Ticket(inp)
        self.waiting.append(ticket)
        async with self.lock:
            if not ticket.settled:
                await self._apply_waiting()
        if ticket.error is not None:
            raise ticket.error
        assert ticket.result is not None
        return ticket.result

    async def _apply_waiting(self) -> None:
        batch, self.waiting = self.waiting, []
        try:
            await self._durably(lambda: self._apply(batch))
        except Exception as e:
            for t in batch:
                if not t.settled:
                    t.error = e
            raise

    async def _apply(self, batch: list["_Ticket"]) -> None:
        """Decide the waiting commands on the run's state and append the accepted ones."""
        state, decided = self._decide_in_order([t.inp for t in batch])
        accepted = []
        for t, outcome in zip(batch, decided, strict=True):
            t.error = None
            if isinstance(outcome, domain.RuleViolation):
                t.error = _rule_error(outcome.code, outcome.message)
            else:
                t.events = outcome
                accepted.append(t)
        if not accepted:
            return
        first = accepted[0].inp
        key = f"{self.study_id}:{first.idempotency_key}" + (
            f"+{len(accepted) - 1}" if len(accepted) > 1 else "")
        who = [{"actor": t.inp.actor, "role": t.inp.role, "reason": t.inp.reason,
                "signature": t.inp.signature} for t in accepted for _ in t.events]
        seqs = await self._persist_decided(state, [e for t in accepted for e in t.events],
                                           first.actor, first.role, first.reason, key, who,
                                           replies=_replies([(t.inp, t.events) for t in accepted]))
        at = 0
        for t in accepted:
            t.result = CommandResult(study=self.view, seqs=seqs[at:at + len(t.events)],
                                     extra=_ids(t.events))
            at += len(t.events)
            workflow.logger.info("study command applied", extra={
                "study_id": self.study_id, "command": t.inp.command.get("type"),
                "actor": t.inp.actor})

    async def _command_alone(self, inp: CommandInput) -> CommandResult:
        async def attempt() -> CommandResult:
            try:
                events = self._decide(inp)
            except domain.RuleViolation as e:
                raise _rule_error(e.code, e.message) from None
            seqs = await self._persist_decided(domain.fold(self.state, events), events,
                                               inp.actor, inp.role, inp.reason,
                                               f"{self.study_id}:{inp.idempotency_key}",
                                               [{"signature": inp.signature} for _ in events],
                                               replies=_replies([(inp, events)]))
            workflow.logger.info("study command applied", extra={
                "study_id": self.study_id, "command": inp.command.get("type"),
                "actor": inp.actor})
            return CommandResult(study=self.view, seqs=seqs, extra=_ids(events))

        async with self.lock:
            return await self._durably(attempt)

    @workflow.update
    async def bulk(self, inp: BulkInput) -> BulkResult:
        """Participant commands in order, each decided on the state the previous ones left; the
        refused ones are reported and change nothing, the others are appended together."""
        self._accepted()

        async def attempt() -> BulkResult:
            state, decided = self._decide_in_order([CommandInput(
                command=item.command, actor=inp.actor, role=inp.role, reason=item.reason,
                idempotency_key=inp.idempotency_key) for item in inp.items])
            outcomes = [BulkOutcome(applied=False, code=d.code, message=d.message)
                        if isinstance(d, domain.RuleViolation) else BulkOutcome(applied=True)
                        for d in decided]
            applied = [(item, d) for item, d in zip(inp.items, decided, strict=True)
                       if not isinstance(d, domain.RuleViolation)]
            seqs: list[int] = []
            if any(events for _, events in applied):
                seqs = await self._persist_decided(
                    state, [e for _, events in applied for e in events], inp.actor, inp.role,
                    "bulk participant commands", f"{self.study_id}:bulk:{inp.idempotency_key}",
                    [{"reason": item.reason, "signature": item.signature}
                     for item, events in applied for _ in events],
                    answers=[item.answer for item, _ in applied if item.answer])
            return BulkResult(study=self.view, outcomes=outcomes, seqs=seqs)

        async with self.lock:
            return await self._durably(attempt)

    @workflow.update
    async def batch(self, inp: BatchInput) -> CommandResult:
        """Commands in legal-date order on the state each leaves, appended together with the
        clock events due at the end only; the first refusal refuses them all (it names its
        index). The first item may create the study (an import starts its workflow so)."""
        self._accepted()

        async def attempt() -> CommandResult:
            state, decided = self._decide_batch(inp)
            events = [e for _, item_events in decided for e in item_events]
            who = [{"actor": inp.actor, "role": inp.items[index].role or inp.role,
                    "reason": inp.items[index].reason, "signature": inp.items[index].signature}
                   for index, item_events in decided for _ in item_events]
            seqs = await self._persist_decided(
                state, events, inp.actor, inp.role, inp.items[0].reason,
                f"{self.study_id}:batch:{inp.idempotency_key}", who,
                whole=Reply(actor=inp.actor, key=inp.answer_key, status=200, first=0, count=0,
                            extra=_ids(events)) if inp.answer_key else None)
            return CommandResult(study=self.view, seqs=seqs, extra=_ids(events))

        async with self.lock:
            return await self._durably(attempt)

    @batch.validator
    def validate_batch(self, inp: BatchInput) -> None:
        self._not_renewing()
        self._decide_batch(inp)

    def _decide_batch(self, inp: BatchInput
                      ) -> tuple[domain.StudyState | None, list[tuple[int, list[Event]]]]:
        if not inp.items:
            raise _rule_error("empty_batch", "a batch holds at least one command")
        try:
            commands = [(_COMMANDS.validate_python(item.command),
                         domain.Actor(name=inp.actor, role=item.role or inp.role))  # type: ignore[arg-type]
                        for item in inp.items]
        except ValidationError as e:
            raise _rule_error("invalid_command", str(e)) from None
        try:
            return domain.decide_batch(self.state, commands, self._today(), self.study_id,
                                       rules=self._rules())
        except domain.BatchRefused as e:
            raise ApplicationError(e.message, e.code, e.index, type="BatchRefused",
                                   non_retryable=True) from None

    @bulk.validator
    def validate_bulk(self, inp: BulkInput) -> None:
        self._not_renewing()
        if self.state is None:
            raise _rule_error("unknown_study", "no such study")

    @command.validator
    def validate_command(self, inp: CommandInput) -> None:
        # A refused command is rejected here and never enters the workflow history.
        self._not_renewing()
        try:
            events = self._decide(inp)
        except domain.RuleViolation as e:
            raise _rule_error(e.code, e.message) from None
        if len(self.validated) >= VALIDATED_KEPT:  # an accepted update the server then
            self.validated.clear()  # dropped (a duplicate) never reaches its handler
        self.validated[inp.idempotency_key] = _Decision(inp, self.state, self._today(),
                                                        self._rules(), events)

    @workflow.query
    def study(self) -> dict[str, Any] | None:
        return domain.view(self.state) if self.state else None

    def _rules(self) -> int:
        """The rules edition of this run, decided once (workflow.patched is memoized per run):
        a validator, which may not record the patch marker, decides under the current one,
        as the handler of a new study then will."""
        if self.rules is None:
            if workflow.unsafe.is_read_only():
                return domain.RULES
            self.rules = domain.RULES if self._patched(RULES_PATCH) else 1
        return self.rules

    async def _adopt_rules(self) -> None:
        """A study created under an older edition of the rules takes up the current one."""
        async def attempt() -> None:
            assert self.state is not None
            if self.state.rules >= domain.RULES or self._rules() < domain.RULES:
                return
            await self._persist(domain.adopt_rules(self.state), SYSTEM_ACTOR, SYSTEM_ROLE,
                                "rules edition adopted",
                                f"{self.study_id}:rules:{self.state.version}")

        await self._durably(attempt)

    def _decide(self, inp: CommandInput, state: domain.StudyState | None = None) -> list[Event]:
        """The command's events on `state` (the run's own by default), or RuleViolation."""
        state = state or self.state
        earlier = self.validated.pop(inp.idempotency_key, None)
        if earlier is not None and earlier.inp == inp and earlier.state is state \
                and earlier.today == self._today() and earlier.rules == self._rules():
            return earlier.events  # the validator's decision, on the very same inputs
        try:
            command = _COMMANDS.validate_python(inp.command)
            actor = domain.Actor(name=inp.actor, role=inp.role)  # type: ignore[arg-type]
        except ValidationError as e:
            raise domain.RuleViolation("invalid_command", str(e)) from None
        return domain.decide(state, command, actor, self._today(),
                             study_id=self.study_id, rules=self._rules())

    def _decide_in_order(self, inputs: list[CommandInput]
                         ) -> tuple[domain.StudyState | None,
                                    list[list[Event] | domain.RuleViolation]]:
        """Each command decided on the state the ones before it left (a refused one changes
        nothing): the state after them all, and each one's events or refusal."""
        state = self.state
        decided: list[list[Event] | domain.RuleViolation] = []
        for inp in inputs:
            try:
                events = self._decide(inp, state)
            except domain.RuleViolation as e:
                decided.append(e)
                continue
            state = domain.fold(state, events)
            decided.append(events)
        return state, decided

    # --- clocks -------------------------------------------------------------------------------
    def _zone(self) -> Any:
        """The zone whose calendar days are legal days, decided once per run (as _rules):
        Paris, or UTC for a run recorded before the patch; a validator, which may not record
        the marker, judges in Paris as a new run will."""
        if self.zone is None:
            if workflow.unsafe.is_read_only():
                return LEGAL_TIME_ZONE
            self.zone = LEGAL_TIME_ZONE if self._patched(PARIS_PATCH) else UTC
        return self.zone

    def _today(self):  # type: ignore[no-untyped-def]
        return workflow.now().astimezone(self._zone()).date()

    def _next_wake(self) -> datetime | None:
        """When the clocks next have something to do: 00:00 of their next alarm's legal day."""
        day = domain.next_alarm_on(self.state) if self.state else None
        if day is None:
            return None
        return datetime.combine(day, time(0), tzinfo=self._zone())  # 00:00 there, DST included

    def _until_next_alarm(self) -> timedelta | None:
        wake = self._next_wake()
        return None if wake is None else _until(wake)

    async def _advance_clocks(self) -> None:
        async def attempt() -> None:
            assert self.state is not None
            events = domain.tick(self.state, self._today())
            if events:
                await self._persist(events, SYSTEM_ACTOR, SYSTEM_ROLE, "legal clock",
                                    f"{self.study_id}:clock:{self.state.version}")

        await self._durably(attempt)

    async def _deliver(self) -> None:
        # Added after histories were recorded: old runs replay without these activities.
        if not self._patched("deliver-notifications"):
            self.outbox.clear()
            return
        while self.outbox:
            await workflow.execute_activity(
                "deliver_notifications", DeliverInput(study_id=self.study_id,
                                                      seq=self.outbox[0]),
                start_to_close_timeout=timedelta(minutes=2), retry_policy=DELIVERY_RETRY)
            self.outbox.pop(0)

    def _accepted(self) -> None:
        self.updates += 1
        # from the first command accepted past the limit, the next ones wait for the new run
        self.renewing = self.renewing or self._should_renew()

    def _not_renewing(self) -> None:
        """Once the run waits to continue as new, new commands wait outside (the caller retries
        with the same key) so that the ones in flight finish and the run can renew: under a
        steady stream of commands it would otherwise never be idle. The flag is set by workflow
        code (not a fresh `_should_renew()` here): an activation that only rejects updates wakes
        nothing, so a validator seeing the limit first would refuse forever."""
        if self.renewing:  # validators do not run on replay: no patch needed
            raise ApplicationError("the study is starting a new run of its history; retry",
                                   type=RENEWING, non_retryable=True)

    def _should_renew(self) -> bool:
        info = workflow.info()
        return (self.updates >= MAX_UPDATES_PER_RUN or info.is_continue_as_new_suggested()
                or (self.history_limit is not None
                    and info.get_current_history_length() >= self.history_limit))

    # --- persistence --------------------------------------------------------------------------
    async def _persist_decided(self, state: domain.StudyState | None, events: list[Event],
                               actor: str, role: str, reason: str, key: str,
                               who: list[dict[str, Any]] | None = None,
                               answers: list[StoredAnswer] | None = None,
                               replies: list[Reply] | None = None,
                               whole: Reply | None = None) -> list[int]:
        """Append the decided `events` (which lead to `state`) with the clock events they make
        due at once: a legal date recorded late may put a clock past its alarms. `whole`: an
        answer kept for every event of the append, the clocks' included."""
        assert state is not None
        clock_events = domain.tick(state, self._today())
        if whole is not None:
            replies = [*(replies or []),
                       whole.model_copy(update={"count": len(events) + len(clock_events)})]
        return await self._persist(events + clock_events, actor, role, reason, key,
                                   by_clock=len(clock_events), who=who, answers=answers,
                                   replies=replies)

    async def _persist(self, events: list[Event], actor: str, role: str, reason: str,
                       key: str, by_clock: int = 0, who: list[dict[str, Any]] | None = None,
                       answers: list[StoredAnswer] | None = None,
                       replies: list[Reply] | None = None) -> list[int]:
        """Append `events` (the last `by_clock` of them raised by the legal clocks; `who`,
        when given, the actor, role or reason of each of the others)."""
        new_state = domain.fold(self.state, events)
        assert new_state is not None
        new_view = domain.view(new_state)
        before = self.state.participants if self.state else {}
        request = AppendRequest(
            stream_id=self.study_id,
            expected_version=self.state.version if self.state else 0,
            events=[NewEvent(type=e.type, data=e.payload(), **(  # type: ignore[attr-defined]
                CLOCK if i >= len(events) - by_clock else
                who[i] if who else {})) for i, e in enumerate(events)],
            actor=actor, role=role, reason=reason, recorded_at=workflow.now(),
            idempotency_key=key,
            study=new_view,
            # the participants these events changed (evolve keeps the others as they were)
            participants=[domain.participant_view(p) for code, p in
                          new_state.participants.items() if before.get(code) is not p],
            notifications=[n.model_dump(mode="json")
                           for n in domain.notifications_for(new_state, events)],
            answers=answers or [],
            replies=replies or [],
        )
        local = self._patched(LOCAL_APPEND_PATCH)
        try:
            result = await (workflow.execute_local_activity if local else
                            workflow.execute_activity)(
                "append_events", request, result_type=Appended,
                start_to_close_timeout=timedelta(seconds=30), retry_policy=APPEND_RETRY)
        except (ActivityError, ApplicationError) as e:
            # a local activity's error comes bare, a regular one's inside an ActivityError
            cause = e.cause if isinstance(e, ActivityError) else e
            if local and isinstance(cause, ApplicationError) \
                    and cause.type == "ConcurrencyError":
                await self._resync()  # the record holds events this run does not know
                raise _Behind() from None
            raise
        if local and result.duplicate:
            # the batch was appended once already: by a task of this run then lost, which may
            # have decided it otherwise (another day, other commands with it): the record says
            await self._resync()
        else:
            self.state, self.view = new_state, new_view
        if request.notifications and result.events and result.deliver:
            self.outbox.append(result.events[-1].seq)
        self.changed = True
        return [e.seq for e in result.events]

    async def _resync(self) -> None:
        """Take up the state folded from the audit record, which is ahead of this run."""
        carried = await workflow.execute_activity(
            "load_study", self.study_id, result_type=dict,
            start_to_close_timeout=timedelta(minutes=2), retry_policy=APPEND_RETRY)
        self.state = domain.StudyState.model_validate(carried) if carried else None
        self.view = domain.view(self.state) if self.state else {}
        workflow.logger.warning("study run resynchronised from its audit record", extra={
            "study_id": self.study_id, "version": self.state.version if self.state else 0})

    async def _durably(self, attempt: Callable[[], Awaitable[_T]]) -> _T:
        """`attempt` (decide on the run's state, then append); when the record turned out to be
        ahead of the run, decide again on the record's state, which the run has taken up."""
        for _ in range(RESYNC_ATTEMPTS):
            try:
                return await attempt()
            except _Behind:
                continue
        raise ApplicationError("the study's audit record keeps moving ahead of its workflow",
                               type=STUDY_BEHIND, non_retryable=True)


class _Behind(Exception):
    """The append found the record ahead of the run (which has now taken up its state)."""


def _until(wake: datetime) -> timedelta:
    return max(wake - workflow.now(), timedelta(milliseconds=1))


class _Alarm:
    """The run's one timer, armed for the clocks' next wake-up and left armed while that stays
    the same: only a command that moves the next alarm cancels it and starts another."""

    def __init__(self) -> None:
        self.at: datetime | None = None
        self.timer: asyncio.Task[None] | None = None

    async def wait(self, wake: datetime | None, woken: Callable[[], bool]) -> None:
        """Until `woken()` or the alarm at `wake` rings."""
        if wake != self.at:
            if self.timer is not None:
                self.timer.cancel()
            self.at, self.timer = wake, (None if wake is None else asyncio.create_task(
                workflow.sleep(_until(wake))))
        timer = self.timer
        await workflow.wait_condition(lambda: woken() or (timer is not None and timer.done()))
        if timer is not None and timer.done():
            self.at, self.timer = None, None  # rung: the next wait arms the next alarm


class _Decision(NamedTuple):
    """A command decided by the validator, and what the decision depended on."""

    inp: CommandInput
    state: domain.StudyState | None
    today: date
    rules: int
    events: list[Event]


class _Ticket:
    """A command waiting for the lock, and then its answer."""

    def __init__(self, inp: CommandInput) -> None:
        self.inp = inp
        self.events: list[Event] = []
        self.result: CommandResult | None = None
        self.error: BaseException | None = None

    @property
    def settled(self) -> bool:
        return self.result is not None or self.error is not None


def _replies(commands: list[tuple[CommandInput, list[Event]]]) -> list[Reply]:
    """The answers the append keeps for the callers that gave a key: each command's events
    follow the previous command's in the append."""
    replies, first = [], 0
    for inp, events in commands:
        if inp.answer_key:
            replies.append(Reply(actor=inp.actor, key=inp.answer_key, status=inp.answer_status,
                                 first=first, count=len(events), extra=_ids(events)))
        first += len(events)
    return replies


def _ids(events: list[Event]) -> dict[str, Any]:
    """The ids the answer carries: of the amendment submitted, of the safety event reported."""
    out: dict[str, Any] = {}
    for e in events:
        if isinstance(e, AmendmentSubmitted):
            out["amendment_id"] = e.amendment_id
        elif isinstance(e, SafetyEventReported):
            out["event_id"] = e.event_id
    return out
