#include "store/sqlite_migrations.h"

namespace coalition {

namespace {

// Times are milliseconds since the Unix epoch (UTC), except in the audit log, which hashes the
// RFC 3339 text people read. WITHOUT ROWID where the primary key is the access path.
constexpr const char* kMigrations[] = {
    // 1: the first schema.
    R"sql(
    CREATE TABLE meta (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE workflows (
      id            TEXT    NOT NULL,
      version       INTEGER NOT NULL,
      digest        TEXT    NOT NULL,
      document      TEXT    NOT NULL,
      PRIMARY KEY (id, version)
    ) WITHOUT ROWID;

    CREATE TABLE executions (
      id               TEXT PRIMARY KEY,
      workflow_id      TEXT    NOT NULL,
      workflow_version INTEGER NOT NULL,
      status           TEXT    NOT NULL,
      initiator        TEXT    NOT NULL,
      started_at       INTEGER NOT NULL,
      updated_at       INTEGER NOT NULL,
      next_due         INTEGER,
      state            TEXT    NOT NULL,
      result           TEXT    NOT NULL
    );
    CREATE INDEX executions_active ON executions (started_at)
      WHERE status IN ('running', 'waiting');

    CREATE TABLE events (
      execution_id TEXT    NOT NULL,
      seq          INTEGER NOT NULL,
      at           INTEGER NOT NULL,
      type         TEXT    NOT NULL,
      step         TEXT    NOT NULL,
      data         TEXT    NOT NULL,
      PRIMARY KEY (execution_id, seq)
    ) WITHOUT ROWID;

    CREATE TABLE tasks (
      id           TEXT PRIMARY KEY,
      execution_id TEXT    NOT NULL,
      step         TEXT    NOT NULL,
      status       TEXT    NOT NULL,
      due          INTEGER,
      created_at   INTEGER NOT NULL,
      doc          TEXT    NOT NULL
    );
    CREATE INDEX tasks_open ON tasks (due) WHERE status = 'open';
    CREATE INDEX tasks_execution ON tasks (execution_id);

    CREATE TABLE audit (
      seq          INTEGER PRIMARY KEY,
      at           TEXT NOT NULL,
      actor        TEXT NOT NULL,
      role         TEXT NOT NULL,
      organisation TEXT NOT NULL,
      execution_id TEXT NOT NULL,
      step         TEXT NOT NULL,
      type         TEXT NOT NULL,
      summary      TEXT NOT NULL,
      summary_hash TEXT NOT NULL,
      prev_hash    TEXT NOT NULL,
      hash         TEXT NOT NULL
    );
    CREATE INDEX audit_execution ON audit (execution_id);
    )sql",
    // 2: retention. Tombstones and notes are never deleted; a hold row is replaced when a
    // released hold is placed again (the audit log keeps every placement and release).
    R"sql(
    CREATE TABLE tombstones (
      execution_id TEXT NOT NULL,
      record_type  TEXT NOT NULL,
      workflow     TEXT NOT NULL,
      purged_at    TEXT NOT NULL,
      policy       TEXT NOT NULL,
      PRIMARY KEY (execution_id, record_type)
    ) WITHOUT ROWID;

    CREATE TABLE legal_holds (
      execution_id TEXT PRIMARY KEY,
      placed_at    TEXT NOT NULL,
      placed_by    TEXT NOT NULL,
      role         TEXT NOT NULL,
      reason       TEXT NOT NULL,
      released_at  TEXT NOT NULL,
      released_by  TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE retention_notes (
      execution_id TEXT NOT NULL,
      record_type  TEXT NOT NULL,
      hold         TEXT NOT NULL,
      at           TEXT NOT NULL,
      PRIMARY KEY (execution_id, record_type, hold)
    ) WITHOUT ROWID;

    CREATE INDEX executions_finished ON executions (started_at)
      WHERE status IN ('succeeded', 'failed');
    )sql",
    // 3: event payloads in the audit chain (docs/decisions/0008-anchored-audit.md). Entries
    // written before keep scheme 1 and verify as they were hashed. The execution index gains
    // event_seq so the verifier joins events to their entries through it: still one index.
    R"sql(
    ALTER TABLE audit ADD COLUMN scheme     INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE audit ADD COLUMN event_seq  INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE audit ADD COLUMN event_hash TEXT    NOT NULL DEFAULT '';
    DROP INDEX audit_execution;
    CREATE INDEX audit_execution ON audit (execution_id, event_seq);
    )sql",
    // 4: deaths of the engine while it worked on an execution (runtime/crash_journal.h); a row
    // goes when the execution next stands still.
    R"sql(
    CREATE TABLE interruptions (
      execution_id TEXT PRIMARY KEY,
      count        INTEGER NOT NULL
    ) WITHOUT ROWID;
    )sql",
    // 5: pieces of a running execution's state written once instead of with every snapshot
    // (store.h StatePart): frozen context layers, finished map iterations' outputs.
    R"sql(
    CREATE TABLE state_parts (
      execution_id TEXT NOT NULL,
      key          TEXT NOT NULL,
      body         TEXT NOT NULL,
      PRIMARY KEY (execution_id, key)
    ) WITHOUT ROWID;
    )sql",
    // 6: API tokens (auth/api_token.h): the hash of the secret, never the secret.
    R"sql(
    CREATE TABLE api_tokens (
      id           TEXT PRIMARY KEY,
      secret_hash  TEXT    NOT NULL,
      person       TEXT    NOT NULL,
      organisation TEXT    NOT NULL,
      roles        TEXT    NOT NULL,
      scopes       TEXT    NOT NULL,
      created_at   INTEGER NOT NULL,
      created_by   TEXT    NOT NULL,
      expires_at   INTEGER,
      revoked_at   INTEGER
    ) WITHOUT ROWID;
    )sql",
    // 7: inboxes (store.h InboxFilter) read the open tasks of one organisation in due order
    // from columns written with the task — organisation, roles (each between two U+001F, a
    // character no name may hold), escalation level, and the summary an inbox lists — so a page
    // costs an index range and no JSON work.
    R"sql(
    ALTER TABLE tasks ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
    ALTER TABLE tasks ADD COLUMN roles TEXT NOT NULL DEFAULT '';
    ALTER TABLE tasks ADD COLUMN level INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN summary TEXT NOT NULL DEFAULT '{}';
    UPDATE tasks SET
      organisation = coalesce(json_extract(doc, '$.organisation'), ''),
      roles = coalesce((SELECT char(31) || group_concat(value, char(31)) || char(31)
                        FROM json_each(tasks.doc, '$.roles')), ''),
      level = coalesce(json_extract(doc, '$.level'), 0),
      summary = json_set(json_remove(doc, '$.answer_schema', '$.instructions', '$.items'),
                         '$.status', status);
    CREATE INDEX tasks_inbox ON tasks (organisation, due, id) WHERE status = 'open';
    )sql",
    // 8: execution search (store.h ExecutionFilter): pages newest first walk an index instead of
    // sorting every execution, and "executions with a task of this organisation" starts from
    // that organisation's tasks.
    R"sql(
    CREATE INDEX executions_started ON executions (started_at, id);
    CREATE INDEX tasks_organisation ON tasks (organisation, execution_id);
    )sql",
    // 9: cancelled executions end like succeeded and failed ones (retention reads them through
    // executions_finished); a failed execution keeps the snapshot it had before it failed, for
    // a retry (store.h retry_point); a claimed task names its holder, so another person's
    // inbox leaves it out.
    R"sql(
    DROP INDEX executions_finished;
    CREATE INDEX executions_finished ON executions (started_at)
      WHERE status IN ('succeeded', 'failed', 'cancelled');
    ALTER TABLE executions ADD COLUMN resume_state TEXT;
    ALTER TABLE tasks ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
    )sql",
    // 10: the people the server has seen sign in with an identity provider (store.h
    // PersonRecord), so a task can be handed to one of them.
    R"sql(
    CREATE TABLE people (
      person       TEXT    NOT NULL,
      organisation TEXT    NOT NULL,
      roles        TEXT    NOT NULL,
      identity     TEXT    NOT NULL,
      seen_at      INTEGER NOT NULL,
      PRIMARY KEY (person, organisation)
    ) WITHOUT ROWID;
    )sql",
    // 11: browser sessions (store.h WebSessionRecord): the hash of the cookie, never the cookie.
    R"sql(
    CREATE TABLE web_sessions (
      id           TEXT PRIMARY KEY,
      secret_hash  TEXT    NOT NULL,
      kind         TEXT    NOT NULL,
      credential   TEXT    NOT NULL,
      person       TEXT    NOT NULL,
      organisation TEXT    NOT NULL,
      roles        TEXT    NOT NULL,
      scopes       TEXT    NOT NULL,
      created_at   INTEGER NOT NULL,
      expires_at   INTEGER NOT NULL,
      ended_at     INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
    )sql",
    // 12: notifications owed to the people of tasks (store.h NotificationRecord), written with
    // the event that calls for them; role names and references, never an address.
    R"sql(
    CREATE TABLE notifications (
      id           TEXT PRIMARY KEY,
      execution_id TEXT    NOT NULL,
      kind         TEXT    NOT NULL,
      task         TEXT    NOT NULL,
      created_at   INTEGER NOT NULL,
      subject      TEXT    NOT NULL,
      status       TEXT    NOT NULL,
      attempts     INTEGER NOT NULL,
      next_at      INTEGER NOT NULL,
      last_error   TEXT    NOT NULL,
      sent_at      INTEGER,
      delivery     TEXT    NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX notifications_due ON notifications (status, next_at);
    CREATE INDEX notifications_execution ON notifications (execution_id);
    )sql",
    // 13: recurring starts (store.h ScheduleRecord).
    R"sql(
    CREATE TABLE schedules (
      id             TEXT PRIMARY KEY,
      definition     TEXT    NOT NULL,
      paused         INTEGER NOT NULL,
      next_at        INTEGER NOT NULL,
      next_period    TEXT    NOT NULL,
      last_at        INTEGER,
      last_period    TEXT    NOT NULL,
      last_execution TEXT    NOT NULL,
      runs           INTEGER NOT NULL,
      skipped        INTEGER NOT NULL,
      last_error     TEXT    NOT NULL,
      created_at     INTEGER NOT NULL,
      updated_at     INTEGER NOT NULL
    ) WITHOUT ROWID;
    )sql",
    // 14: no table changes. From here on snapshots and state parts are MessagePack BLOBs and
    // audit digests their 32 bytes (sqlite_store.cc reads the older text too); the version says
    // so, so that an older engine refuses the store instead of misreading those values, or
    // linking a new audit entry to raw digest bytes.
    R"sql(
    SELECT 1;
    )sql",
    // 15: the partial indexes of executions name their statuses with = and OR. With an IN
    // list, SQLite built a temporary b-tree of the list each time it tested a row against the
    // predicate: three per execution row written, a fifth of the writer's time under load.
    R"sql(
    DROP INDEX executions_active;
    CREATE INDEX executions_active ON executions (started_at)
      WHERE status = 'running' OR status = 'waiting';
    DROP INDEX executions_finished;
    CREATE INDEX executions_finished ON executions (started_at)
      WHERE status = 'succeeded' OR status = 'failed' OR status = 'cancelled';
    )sql",
    // 16: no table changes. From here on an audit entry may record several consecutive events
    // (scheme 3: event_hash holds their digests one after another, audit/audit_grouping.h); the
    // version says so, so that an older engine refuses the store instead of finding its events
    // unaudited.
    R"sql(
    SELECT 1;
    )sql",
    // 17: no table changes. From here on an entry of several events may hold events of several
    // steps (each item of its summary names its step where that is not the entry's,
    // audit/audit_grouping.h); the version says so, so that an older engine refuses the store
    // instead of reading those events back under the entry's step.
    R"sql(
    SELECT 1;
    )sql",
    // 18: events are stored in the order they arrive (a rowid table), found by execution
    // through a unique index. Keyed by (execution_id, seq), each commit inserted the events of
    // many executions into as many places in the middle of the table, splitting and rewriting
    // several pages of it for a few hundred bytes of each: half the pages a commit wrote. Now
    // they go at its end, and only the small index entries land in the middle.
    R"sql(
    CREATE TABLE events_by_arrival (
      execution_id TEXT    NOT NULL,
      seq          INTEGER NOT NULL,
      at           INTEGER NOT NULL,
      type         TEXT    NOT NULL,
      step         TEXT    NOT NULL,
      data         TEXT    NOT NULL
    );
    INSERT INTO events_by_arrival (execution_id, seq, at, type, step, data)
      SELECT execution_id, seq, at, type, step, data FROM events ORDER BY at, execution_id, seq;
    DROP TABLE events;
    ALTER TABLE events_by_arrival RENAME TO events;
    CREATE UNIQUE INDEX events_execution ON events (execution_id, seq);
    )sql",
    // 19: an execution's events of one commit are one row, a run (store/sqlite_event_runs.h):
    // a JSON array of [seq, at, type, step, data], in the order the runs arrive, found by
    // execution and first event through an index that also holds the last. A drain records
    // about three events at a time: one row and one index entry instead of three of each. The
    // events table becomes a view that expands the runs, so every query of it reads as before,
    // and its INSTEAD OF triggers edit a run in place (a redaction, an operator's repair). A
    // schema-18 store's events become runs of one event each, in the order they were stored:
    // checking an audit entry's events reads the runs that hold them whole, and one run per
    // execution made that three times slower.
    R"sql(
    CREATE TABLE event_runs (
      execution_id TEXT    NOT NULL,
      first_seq    INTEGER NOT NULL,
      last_seq     INTEGER NOT NULL,
      events       TEXT    NOT NULL
    );
    INSERT INTO event_runs (execution_id, first_seq, last_seq, events)
      SELECT execution_id, seq, seq,
             json_array(json_array(seq, at, type, step, CAST(data AS TEXT)))
      FROM events ORDER BY rowid;
    DROP TABLE events;
    CREATE INDEX event_runs_execution ON event_runs (execution_id, first_seq, last_seq);
    CREATE VIEW events (execution_id, seq, at, type, step, data) AS
      SELECT r.execution_id, e.value ->> 0, e.value ->> 1, e.value ->> 2, e.value ->> 3,
             e.value ->> 4
      FROM event_runs r, json_each(r.events) e;
    -- Runs never overlap, so the run that may hold event n of execution x is the one with the
    -- greatest first event at or before n (an index lookup); a new event may go only where no
    -- run's range covers it, a gap a deleted event left included.
    CREATE TRIGGER events_insert INSTEAD OF INSERT ON events BEGIN
      SELECT RAISE(ABORT, 'NOT NULL constraint failed: events')
        WHERE NEW.execution_id IS NULL OR NEW.seq IS NULL OR NEW.at IS NULL OR NEW.type IS NULL
          OR NEW.step IS NULL OR NEW.data IS NULL;
      SELECT RAISE(ABORT, 'UNIQUE constraint failed: events.execution_id, events.seq')
        WHERE (SELECT last_seq FROM event_runs WHERE execution_id = NEW.execution_id
               AND first_seq <= NEW.seq ORDER BY first_seq DESC LIMIT 1) >= NEW.seq;
      INSERT INTO event_runs (execution_id, first_seq, last_seq, events)
        VALUES (NEW.execution_id, NEW.seq, NEW.seq,
                json_array(json_array(NEW.seq, NEW.at, NEW.type, NEW.step, NEW.data)));
    END;
    CREATE TRIGGER events_update INSTEAD OF UPDATE ON events BEGIN
      SELECT RAISE(ABORT, 'an event keeps its execution and seq')
        WHERE NEW.execution_id IS NOT OLD.execution_id OR NEW.seq IS NOT OLD.seq;
      SELECT RAISE(ABORT, 'NOT NULL constraint failed: events')
        WHERE NEW.at IS NULL OR NEW.type IS NULL OR NEW.step IS NULL OR NEW.data IS NULL;
      UPDATE event_runs SET events = json_set(events,
          (SELECT '$[' || e.key || ']' FROM json_each(event_runs.events) e
           WHERE e.value ->> 0 = OLD.seq),
          json_array(NEW.seq, NEW.at, NEW.type, NEW.step, NEW.data))
        WHERE rowid = (SELECT rowid FROM event_runs WHERE execution_id = OLD.execution_id
                       AND first_seq <= OLD.seq ORDER BY first_seq DESC LIMIT 1)
          AND EXISTS (SELECT 1 FROM json_each(event_runs.events) e WHERE e.value ->> 0 = OLD.seq);
    END;
    CREATE TRIGGER events_delete INSTEAD OF DELETE ON events BEGIN
      UPDATE event_runs SET events = json_remove(events,
          (SELECT '$[' || e.key || ']' FROM json_each(event_runs.events) e
           WHERE e.value ->> 0 = OLD.seq))
        WHERE rowid = (SELECT rowid FROM event_runs WHERE execution_id = OLD.execution_id
                       AND first_seq <= OLD.seq ORDER BY first_seq DESC LIMIT 1)
          AND EXISTS (SELECT 1 FROM json_each(event_runs.events) e WHERE e.value ->> 0 = OLD.seq);
      DELETE FROM event_runs
        WHERE rowid = (SELECT rowid FROM event_runs WHERE execution_id = OLD.execution_id
                       AND first_seq <= OLD.seq ORDER BY first_seq DESC LIMIT 1)
          AND events = '[]';
    END;
    )sql",
    // 20: a task's `doc` holds its form only (answer_schema, instructions, items: store.h
    // task_form); the rest was already in `summary`, which the inbox reads, so every task held it
    // twice. A task reads back as its summary with its form. Rows before keep what is their form:
    // a value of JSON true or false is spelled as JSON (json_each gives 1 and 0 for them).
    R"sql(
    UPDATE tasks SET doc = (
      SELECT json_group_object(key, CASE type WHEN 'true' THEN json('true')
                                              WHEN 'false' THEN json('false')
                                              ELSE value END)
      FROM json_each(tasks.doc)
      WHERE key IN ('answer_schema', 'instructions', 'items'))
    WHERE json_valid(doc) AND json_type(doc) = 'object';
    )sql",
};

}  // namespace

std::span<const char* const> sqlite_migrations() {
  return kMigrations;
}

}  // namespace coalition
