-- Payouts: each payout's snapshot, its audit trail and the transactional outbox of its webhooks.
-- One payout event writes all three in one transaction (src/PayoutStore.ts), or nothing.

-- Versions of payout snapshots, from one counter: a version a reader saw is never reused.
create sequence payout_snapshot_version as bigint;

-- The payout as it stands: the serialised snapshot (machine, version, state, context), written
-- at `version`. `status` repeats the snapshot's status for queries. Kept for as long as the payout.
create table payout_snapshot (
  payout_id  text        primary key,
  version    bigint      not null,
  status     text        not null,
  snapshot   jsonb       not null,
  updated_at timestamptz not null default now()
);

-- One row per accepted transition, seq 1, 2, … without gaps. The primary key (payout_id, seq) is
-- what makes a lost race visible: two writers that read the same snapshot both try the same seq.
-- `record` is the audit record in its wire shape. Kept for as long as the payout (it is the trail).
create table payout_audit (
  payout_id text  not null,
  seq       int   not null check (seq >= 1),
  id        text  not null unique,
  record    jsonb not null,
  primary key (payout_id, seq)
);

-- The outbox: one row per webhook event, written with the audit record it reports. `position`
-- orders the rows as they were written; `body` is the exact JSON text that is signed and sent
-- (text, not jsonb, so that every redelivery sends the same bytes). A reader leases rows
-- (`lease_until`) while it delivers them and marks them `delivered_at`; delivered rows are pruned
-- after a retention.
create table payout_outbox (
  position     bigint      generated always as identity primary key,
  id           text        not null unique,
  payout_id    text        not null,
  seq          int         not null check (seq >= 1),
  type         text        not null,
  created_at   text        not null,
  body         text        not null,
  lease_until  timestamptz,
  delivered_at timestamptz,
  unique (payout_id, seq)
);

-- Undelivered rows: by payout and seq (is this the payout's first undelivered row?) and by
-- position (the claim's order); delivered rows by time (the prune).
create index payout_outbox_pending_by_payout on payout_outbox (payout_id, seq) where delivered_at is null;
create index payout_outbox_pending_by_position on payout_outbox (position) where delivered_at is null;
create index payout_outbox_delivered on payout_outbox (delivered_at) where delivered_at is not null;
