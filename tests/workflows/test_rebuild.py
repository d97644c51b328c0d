"""Recovery: the read models rebuilt from the events alone are the tables the workflows wrote,
row for row and byte for byte."""

import random

from domain import RuleViolation, project
from domain.model import Role
from store import ReadModels

from ..domain.helpers import samples

TABLES = {  # table -> its rows as text, in a total order
    "studies": "SELECT s::text FROM studies s ORDER BY id",
    "deadlines": "SELECT d::text FROM deadlines d ORDER BY study_id, name",
    "tasks": "SELECT t::text FROM tasks t ORDER BY t::text",
    "participants": "SELECT p::text FROM participants p ORDER BY study_id, code",
}


async def dump(pool) -> dict[str, list[str]]:
    return {name: [r[0] for r in await pool.fetch(sql)] for name, sql in TABLES.items()}


async def test_rebuilt_read_models_are_byte_identical(harness, pool):
    rng = random.Random(11)
    today = await harness.today()
    for category, until in (("RIPH1", "-"), ("RIPH2", "submit_to_ansm"),
                            ("RIPH1", "record_ethics_opinion"), ("NON_RIPH", "assign_sponsor")):
        sid = await harness.create(category=category)
        await harness.walk(sid, until=until, on=today)
        for _ in range(12):
            try:
                await harness.send(sid, rng.choice(samples()),
                                   role=rng.choice([r.value for r in Role]))
            except RuleViolation:
                pass
        for code in ("P-0001", "P-0002"):
            try:
                await harness.send(sid, {"type": "register_participant", "code": code},
                                   "investigator")
            except RuleViolation:
                pass
    await harness.skip(30)  # clocks fire: reminders, escalations, tacit decisions
    before = await dump(pool)
    assert all(before.values()) or not before["participants"]
    assert len(before["studies"]) == 4 and before["deadlines"] and before["tasks"]

    assert await ReadModels(pool).rebuild(project) == 4
    assert await dump(pool) == before
