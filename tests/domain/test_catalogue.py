"""The command catalogue is the one table of commands: every command class has its entry, and
the roles, clocks, forms and labels used elsewhere are the ones it gives."""

from typing import get_args

from domain import catalogue, regulation
from domain.catalogue import CATALOGUE, COMMAND_ROLES, ENTRIES, MET_BY, PARTICIPANT_FORMS, STUDY_FORMS
from domain.commands import AnyCommand, Command, command_type
from domain.events import DomainEvent, StudyCreated
from domain.evolve import HISTORY, MUTATORS
from domain.messages_en import MESSAGES
from domain.model import Role, Track
from domain.regulation import CLOCKS
from domain.tracks import (
    amendments,
    authority,
    data_protection,
    deadlines,
    ethics,
    lifecycle,
    participants,
    sites,
    vigilance,
)


def _command_classes() -> set[type[Command]]:
    """Every concrete command class: those that answer to a `type`."""
    found, todo = set(), [Command]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if "type" in cls.model_fields:
            found.add(cls)
    return found


def test_every_command_class_has_an_entry():
    assert _command_classes() == set(CATALOGUE)
    assert set(get_args(get_args(AnyCommand)[0])) == set(CATALOGUE)
    assert len(ENTRIES) == len(CATALOGUE)  # no class listed twice


def test_every_command_but_creation_has_a_decide_handler():
    assert [e.type for e in ENTRIES if e.decide is None] == ["create_study", "correct"]


def test_every_command_has_its_name_in_the_english_catalogue():
    keys = {e.label_key for e in ENTRIES}
    assert keys <= set(MESSAGES)
    assert {k for k in MESSAGES if k.startswith("command.")} == keys
    assert catalogue.labels(MESSAGES)["record_insurance"] == "Record the insurance (assurance)"


def test_every_clock_is_met_by_exactly_one_command():
    listed = [clock for e in ENTRIES for clock in e.meets]
    assert len(listed) == len(set(listed)), "a clock met by two commands"
    assert set(listed) == set(CLOCKS)
    assert MET_BY["deferred_consent"] == "record_consent"


def test_roles_come_from_the_catalogue_and_no_admin_or_auditor_sends_commands():
    assert COMMAND_ROLES == {e.type: e.roles for e in ENTRIES}
    # an admin corrects a mistyped fact (issue 14), and sends nothing else
    assert all(not ({Role.admin, Role.auditor} & roles) for kind, roles in COMMAND_ROLES.items()
               if kind != "correct")
    assert Role.auditor not in COMMAND_ROLES["correct"]
    # the tables other modules have always imported are the catalogue's
    assert regulation.COMMAND_ROLES is COMMAND_ROLES and regulation.MET_BY is MET_BY
    assert regulation.may_send(Role.regulatory, "submit_to_ansm")
    assert not regulation.may_send(Role.coordinator, "submit_to_ansm")


def test_every_command_but_creation_has_a_form_on_the_study_or_a_participant():
    # a correction is offered on the audit row of the fact it corrects
    assert set(STUDY_FORMS) | set(PARTICIPANT_FORMS) | {"create_study", "correct"} == set(
        COMMAND_ROLES)
    assert not set(STUDY_FORMS) & set(PARTICIPANT_FORMS)
    assert "register_participant" in PARTICIPANT_FORMS
    assert "issue_consent_form" in STUDY_FORMS
    assert list(STUDY_FORMS)[:2] == ["submit_protocol", "assign_sponsor"]  # contract order


def test_a_form_default_names_a_field_of_its_command():
    for entry in ENTRIES:
        if entry.form:
            assert set(entry.form.defaults) <= set(entry.model.model_fields), entry.type


def test_command_type_reads_the_literal():
    assert {command_type(cls) for cls in CATALOGUE} == set(COMMAND_ROLES)


def test_every_event_but_creation_has_exactly_one_mutator():
    tables = [t.EVOLVE for t in (lifecycle, ethics, data_protection, authority, amendments,
                                 vigilance, participants, deadlines, sites)] + [HISTORY]
    registered = [cls for table in tables for cls in table]
    assert len(registered) == len(set(registered)), "an event mutated in two tracks"
    events = set(get_args(get_args(DomainEvent)[0])) - {StudyCreated}
    assert set(MUTATORS) == events


def test_every_clock_runs_on_a_track_and_deferred_consent_on_the_participants_one():
    assert all(isinstance(clock.track, Track) for clock in CLOCKS.values())
    assert CLOCKS["deferred_consent"].track is Track.recruitment
    assert CLOCKS["cpp_opinion"].track is Track.ethics
    assert CLOCKS["susar"].track is Track.vigilance
    assert CLOCKS["results"].track is Track.end


def test_every_track_has_a_title():
    assert all(f"track.{track.value}" in MESSAGES for track in Track)
