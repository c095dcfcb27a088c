-- The records of @payout-kernel/request-auth's keyed decisions, one row per record: the record as
-- the package's codecs read it back, when it may be pruned, and its version. Every write takes a
-- fresh version from one sequence, so a record deleted and written again never reuses a version
-- a stale reader saw. Times are epoch milliseconds.

create sequence request_auth_version;

-- A webhook receiver's receipt of an event (scope, event id): being processed (until its lease
-- ends) or processed (a later delivery is a duplicate until the retention ends).
create table webhook_receipt (
  scope text not null,
  event_id text not null,
  record jsonb not null,
  expires_at bigint not null,
  version bigint not null,
  primary key (scope, event_id)
);
create index webhook_receipt_expiry on webhook_receipt (expires_at);

-- A DPoP proof's jti under its key's thumbprint: seen, and a replay until `expires_at`.
create table dpop_replay (
  jkt text not null,
  jti text not null,
  record jsonb not null,
  expires_at bigint not null,
  version bigint not null,
  primary key (jkt, jti)
);
create index dpop_replay_expiry on dpop_replay (expires_at);
