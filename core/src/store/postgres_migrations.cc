#include "store/postgres_migrations.h"

namespace coalition {

namespace {

// The SQLite store's schema 14, in PostgreSQL's types:
// - times are milliseconds since the Unix epoch (bigint), except in the audit log and retention
//   records, which keep the RFC 3339 text that is hashed and read;
// - snapshots and state parts are MessagePack (bytea), audit digests their 32 bytes (bytea; an
//   entry without an event has an empty event hash);
// - documents are the JSON text the engine wrote (text, not jsonb: an event's payload is hashed
//   as written, and jsonb would reformat it);
// - every text compared or ordered by is COLLATE "C": byte order, as in SQLite, whatever the
//   database's locale, so keyset pages and listings come in the same order on both stores.
// The audit chain's head is one row (audit_head), locked by each transaction that appends
// entries: the chain is one chain in commit order whichever node writes (docs/decisions).
constexpr const char* kPostgresMigrations[] = {
    // 1: the first schema.
    R"sql(
    CREATE TABLE meta (
      key   text COLLATE "C" PRIMARY KEY,
      value text NOT NULL
    );

    CREATE TABLE workflows (
      id       text COLLATE "C" NOT NULL,
      version  bigint NOT NULL,
      digest   text   NOT NULL,
      document text   NOT NULL,
      PRIMARY KEY (id, version)
    );

    CREATE TABLE executions (
      id               text COLLATE "C" PRIMARY KEY,
      workflow_id      text COLLATE "C" NOT NULL,
      workflow_version bigint NOT NULL,
      status           text COLLATE "C" NOT NULL,
      initiator        text   NOT NULL,
      started_at       bigint NOT NULL,
      updated_at       bigint NOT NULL,
      next_due         bigint,
      state            bytea  NOT NULL,
      result           text   NOT NULL,
      resume_state     bytea
    );
    CREATE INDEX executions_active ON executions (started_at, id)
      WHERE status IN ('running', 'waiting');
    CREATE INDEX executions_finished ON executions (started_at, id)
      WHERE status IN ('succeeded', 'failed', 'cancelled');
    CREATE INDEX executions_started ON executions (started_at, id);

    CREATE TABLE events (
      execution_id text COLLATE "C" NOT NULL,
      seq          bigint NOT NULL,
      at           bigint NOT NULL,
      type         text   NOT NULL,
      step         text   NOT NULL,
      data         text   NOT NULL,
      PRIMARY KEY (execution_id, seq)
    );

    CREATE TABLE tasks (
      id           text COLLATE "C" PRIMARY KEY,
      execution_id text COLLATE "C" NOT NULL,
      step         text   NOT NULL,
      status       text COLLATE "C" NOT NULL,
      due          bigint,
      created_at   bigint NOT NULL,
      doc          text   NOT NULL,
      organisation text COLLATE "C" NOT NULL DEFAULT '',
      roles        text COLLATE "C" NOT NULL DEFAULT '',
      level        bigint NOT NULL DEFAULT 0,
      summary      text   NOT NULL DEFAULT '{}',
      assignee     text COLLATE "C" NOT NULL DEFAULT ''
    );
    CREATE INDEX tasks_open ON tasks (due) WHERE status = 'open';
    CREATE INDEX tasks_execution ON tasks (execution_id);
    CREATE INDEX tasks_inbox ON tasks (organisation, due, id) WHERE status = 'open';
    CREATE INDEX tasks_organisation ON tasks (organisation, execution_id);

    CREATE TABLE audit (
      seq          bigint PRIMARY KEY,
      at           text   NOT NULL,
      actor        text   NOT NULL,
      role         text   NOT NULL,
      organisation text   NOT NULL,
      execution_id text COLLATE "C" NOT NULL,
      step         text   NOT NULL,
      type         text COLLATE "C" NOT NULL,
      summary      text   NOT NULL,
      summary_hash bytea  NOT NULL,
      prev_hash    bytea  NOT NULL,
      hash         bytea  NOT NULL,
      scheme       bigint NOT NULL,
      event_seq    bigint NOT NULL,
      event_hash   bytea  NOT NULL
    );
    CREATE INDEX audit_execution ON audit (execution_id, event_seq);
    CREATE TABLE audit_head (
      one  boolean PRIMARY KEY DEFAULT true CHECK (one),
      seq  bigint NOT NULL,
      hash bytea  NOT NULL,
      at   text   NOT NULL
    );
    INSERT INTO audit_head (seq, hash, at) VALUES (0, decode(repeat('00', 32), 'hex'), '');

    CREATE TABLE tombstones (
      execution_id text COLLATE "C" NOT NULL,
      record_type  text COLLATE "C" NOT NULL,
      workflow     text NOT NULL,
      purged_at    text COLLATE "C" NOT NULL,
      policy       text NOT NULL,
      PRIMARY KEY (execution_id, record_type)
    );

    CREATE TABLE legal_holds (
      execution_id text COLLATE "C" PRIMARY KEY,
      placed_at    text COLLATE "C" NOT NULL,
      placed_by    text NOT NULL,
      role         text NOT NULL,
      reason       text NOT NULL,
      released_at  text NOT NULL,
      released_by  text NOT NULL
    );

    CREATE TABLE retention_notes (
      execution_id text COLLATE "C" NOT NULL,
      record_type  text COLLATE "C" NOT NULL,
      hold         text COLLATE "C" NOT NULL,
      at           text COLLATE "C" NOT NULL,
      PRIMARY KEY (execution_id, record_type, hold)
    );

    CREATE TABLE interruptions (
      execution_id text COLLATE "C" PRIMARY KEY,
      count        bigint NOT NULL
    );

    CREATE TABLE state_parts (
      execution_id text COLLATE "C" NOT NULL,
      key          text COLLATE "C" NOT NULL,
      body         bytea NOT NULL,
      PRIMARY KEY (execution_id, key)
    );

    CREATE TABLE api_tokens (
      id           text COLLATE "C" PRIMARY KEY,
      secret_hash  text   NOT NULL,
      person       text   NOT NULL,
      organisation text   NOT NULL,
      roles        text   NOT NULL,
      scopes       text   NOT NULL,
      created_at   bigint NOT NULL,
      created_by   text   NOT NULL,
      expires_at   bigint,
      revoked_at   bigint
    );

    CREATE TABLE people (
      person       text COLLATE "C" NOT NULL,
      organisation text COLLATE "C" NOT NULL,
      roles        text   NOT NULL,
      identity     text   NOT NULL,
      seen_at      bigint NOT NULL,
      PRIMARY KEY (person, organisation)
    );

    CREATE TABLE web_sessions (
      id           text COLLATE "C" PRIMARY KEY,
      secret_hash  text   NOT NULL,
      kind         text   NOT NULL,
      credential   text   NOT NULL,
      person       text   NOT NULL,
      organisation text   NOT NULL,
      roles        text   NOT NULL,
      scopes       text   NOT NULL,
      created_at   bigint NOT NULL,
      expires_at   bigint NOT NULL,
      ended_at     bigint
    );
    CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

    CREATE TABLE notifications (
      id           text COLLATE "C" PRIMARY KEY,
      execution_id text COLLATE "C" NOT NULL,
      kind         text   NOT NULL,
      task         text   NOT NULL,
      created_at   bigint NOT NULL,
      subject      text   NOT NULL,
      status       text COLLATE "C" NOT NULL,
      attempts     bigint NOT NULL,
      next_at      bigint NOT NULL,
      last_error   text   NOT NULL,
      sent_at      bigint,
      delivery     text   NOT NULL
    );
    CREATE INDEX notifications_due ON notifications (status, next_at);
    CREATE INDEX notifications_execution ON notifications (execution_id);

    CREATE TABLE schedules (
      id             text COLLATE "C" PRIMARY KEY,
      definition     text    NOT NULL,
      paused         boolean NOT NULL,
      next_at        bigint  NOT NULL,
      next_period    text    NOT NULL,
      last_at        bigint,
      last_period    text    NOT NULL,
      last_execution text    NOT NULL,
      runs           bigint  NOT NULL,
      skipped        bigint  NOT NULL,
      last_error     text    NOT NULL,
      created_at     bigint  NOT NULL,
      updated_at     bigint  NOT NULL
    );
    )sql",
    // 2: executions leased to engine nodes (store/execution_leases.h). A node is alive while its
    // heartbeat is younger than the lease it declared, on the database's clock (one clock for
    // every node). An execution's owner and fence change only when a node claims it: every
    // write of a leased execution is checked against both in its transaction.
    R"sql(
    CREATE TABLE nodes (
      node         text COLLATE "C" PRIMARY KEY,
      name         text   NOT NULL,
      started_at   timestamptz NOT NULL,
      heartbeat_at timestamptz NOT NULL,
      lease_ms     bigint NOT NULL
    );

    ALTER TABLE executions ADD COLUMN owner text COLLATE "C";
    ALTER TABLE executions ADD COLUMN fence bigint NOT NULL DEFAULT 0;
    CREATE INDEX executions_owner ON executions (owner) WHERE owner IS NOT NULL;
    CREATE INDEX executions_due ON executions (next_due)
      WHERE status IN ('running', 'waiting');
    )sql",
    // 3: no table changes. From here on an audit entry may record several consecutive events
    // (scheme 3: event_hash holds their digests one after another, audit/audit_grouping.h); the
    // version says so, so that an older engine refuses the database instead of finding its
    // events unaudited.
    R"sql(
    SELECT 1;
    )sql",
    // 4: no table changes. From here on an entry of several events may hold events of several
    // steps (each item of its summary names its step where that is not the entry's,
    // audit/audit_grouping.h); the version says so, so that an older engine refuses the
    // database instead of reading those events back under the entry's step.
    R"sql(
    SELECT 1;
    )sql",
    // 5: a task's `doc` holds its form only (answer_schema, instructions, items: store.h
    // task_form); the rest was already in `summary`, which the inbox reads, so every task held it
    // twice. A task reads back as its summary with its form. A document holding a NUL character
    // (which jsonb refuses) stays whole: it reads back the same, the form's members win.
    R"sql(
    UPDATE tasks SET doc = coalesce(
      (SELECT jsonb_object_agg(key, value) FROM jsonb_each(tasks.doc::jsonb)
       WHERE key IN ('answer_schema', 'instructions', 'items')),
      '{}'::jsonb)::text
    WHERE doc LIKE '{%' AND position('\u0000' IN doc) = 0;
    )sql",
};

}  // namespace

std::span<const char* const> postgres_migrations() {
  return kPostgresMigrations;
}

}  // namespace coalition
