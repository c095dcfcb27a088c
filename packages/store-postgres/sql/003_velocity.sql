-- Velocity records of @payout-kernel/velocity's keyed decisions (evaluate-and-record, release),
-- one row per record key, the value as the jsonb the velocity codecs read back:
--   u/<tracker>/<group key>[/<period start>]  a window's usage of one group key: a calendar
--       period's totals (expires at the period's end), a rolling window's live events (expires
--       when the newest leaves the window), a lifetime's totals (never expires; deleted when
--       releases empty it);
--   p/<payout id>  a counted payout's own record, for release (expires when no window counts it).
-- Versions come from one sequence, so they only grow (a row deleted and made again never repeats
-- a version a stale reader saw). `expires_at` is epoch milliseconds, null for never; `prune`
-- deletes rows with expires_at <= now. Keys are ASCII compared byte by byte (collation "C"), the
-- order every decision locks its rows in.
create sequence velocity_record_version;

create table velocity_record (
  key text collate "C" primary key,
  version bigint not null,
  value jsonb not null,
  expires_at bigint
);

create index velocity_record_expiry on velocity_record (expires_at) where expires_at is not null;
