-- Read models: written in the same transaction as the events; rebuildable from them.
CREATE TABLE studies (
    id           text PRIMARY KEY,
    title        text        NOT NULL,
    category     text        NOT NULL,
    state        text        NOT NULL,
    investigator text        NOT NULL,
    version      integer     NOT NULL,
    overdue      boolean     NOT NULL DEFAULT false,
    next_due_on  date,
    view         jsonb       NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX studies_urgency ON studies (overdue DESC, next_due_on ASC NULLS LAST, id);
CREATE INDEX studies_state ON studies (state);
CREATE INDEX studies_category ON studies (category);
CREATE INDEX studies_title ON studies (lower(title) text_pattern_ops);

CREATE TABLE deadlines (
    study_id  text    NOT NULL REFERENCES studies (id),
    name      text    NOT NULL,
    clock     text    NOT NULL,
    label     text    NOT NULL,
    role      text    NOT NULL,
    starts_on date    NOT NULL,
    due_on    date    NOT NULL,
    status    text    NOT NULL,
    waiting   boolean NOT NULL,
    closed_on date,
    PRIMARY KEY (study_id, name)
);
CREATE INDEX deadlines_waiting ON deadlines (due_on) WHERE waiting;

CREATE TABLE tasks (
    id       bigserial PRIMARY KEY,
    study_id text    NOT NULL REFERENCES studies (id),
    role     text    NOT NULL,
    kind     text    NOT NULL,
    title    text    NOT NULL,
    due_on   date,
    deadline text,
    overdue  boolean NOT NULL DEFAULT false
);
CREATE INDEX tasks_role ON tasks (role, overdue DESC, due_on NULLS LAST);
CREATE INDEX tasks_study ON tasks (study_id);

CREATE TABLE participants (
    study_id             text NOT NULL REFERENCES studies (id),
    code                 text NOT NULL,
    status               text NOT NULL,
    consent_form_version text,
    view                 jsonb NOT NULL,
    PRIMARY KEY (study_id, code)
);

CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    study_id   text        NOT NULL,
    role       text        NOT NULL,
    kind       text        NOT NULL,
    message    text        NOT NULL,
    urgent     boolean     NOT NULL,
    deadline   text,
    channel    text        NOT NULL DEFAULT 'in_app',
    seq        bigint      NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX notifications_role ON notifications (role, id DESC);
CREATE INDEX notifications_study ON notifications (study_id);
