-- People who receive notifications, their channels and preferences; what was delivered.
CREATE TABLE people (
    actor       text PRIMARY KEY,
    role        text    NOT NULL,
    email       text,
    digest      boolean NOT NULL DEFAULT true,  -- routine notices gathered into one daily mail
    last_digest bigint  NOT NULL DEFAULT 0      -- the last notification id a digest covered
);

CREATE TABLE deliveries (
    notification_id bigint      NOT NULL REFERENCES notifications (id),
    recipient       text        NOT NULL,
    channel         text        NOT NULL,  -- email | webhook | digest
    sent_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (notification_id, recipient, channel)
);
