-- The rescore policy's records (see @payout-kernel/rescore-policy, RescoreKeyed.ts). Every write
-- takes a fresh version from one sequence, so a record deleted and written again never reuses a
-- version a stale reader saw. Times are epoch milliseconds.

create sequence rescore_version;

-- A merchant's quota log: admissions numbered from 0; `head` is the first one a decision still
-- needs to look at, `length` the next number, `latest_at` the time of the latest admission.
create table rescore_quota (
  merchant_id text primary key,
  head bigint not null,
  length bigint not null,
  latest_at bigint not null,
  version bigint not null
);

-- One row per admission still inside a window (prune deletes the rest).
create table rescore_admission (
  merchant_id text not null,
  seq bigint not null,
  admitted_at bigint not null,
  primary key (merchant_id, seq)
);

-- The idempotency record of (merchant, key): in flight, or the response stored for replay.
-- `expires_at` is when it can no longer change an answer (its retention, or its lease's end).
create table rescore_idempotency (
  merchant_id text not null,
  idempotency_key text not null,
  record jsonb not null,
  expires_at bigint not null,
  version bigint not null,
  primary key (merchant_id, idempotency_key)
);
create index rescore_idempotency_expiry on rescore_idempotency (expires_at);

-- A beneficiary's lease and cooldown; `expires_at` is the later of the lease's end and the cooldown's.
create table rescore_beneficiary (
  beneficiary_id text primary key,
  record jsonb not null,
  expires_at bigint not null,
  version bigint not null
);
create index rescore_beneficiary_expiry on rescore_beneficiary (expires_at);

-- One decision's reads, in one statement (one snapshot). PL/pgSQL, so each connection plans
-- its queries once (a SQL function is planned again at every call).
create function rescore_read(
  q_merchant text, q_now bigint, q_window bigint, q_limit bigint,
  k_merchant text, k_key text, b_id text,
  out quota json, out idempotency json, out beneficiary json
)
language plpgsql stable as $$
declare
  q rescore_quota%rowtype;
  f_seq bigint;
  f_at bigint;
  freeing bigint;
begin
  if q_merchant is not null then
    select * into q from rescore_quota where merchant_id = q_merchant;
    if found then
      -- The first admission inside the window: walking from the head, in admission order.
      select a.seq, a.admitted_at into f_seq, f_at
      from rescore_admission a
      where a.merchant_id = q_merchant and a.seq >= q.head and a.seq < q.length
        and a.admitted_at > greatest(q_now, q.latest_at) - q_window
      order by a.seq
      limit 1;
      -- The admission whose leaving frees a slot: the oldest live one, unless the log is full.
      if f_seq is not null and q.length - f_seq >= q_limit then
        select a.admitted_at into freeing from rescore_admission a
        where a.merchant_id = q_merchant and a.seq = q.length - q_limit;
      else
        freeing := f_at;
      end if;
      quota := json_build_object(
        'version', q.version, 'length', q.length, 'latest', q.latest_at,
        'first', coalesce(f_seq, q.length), 'oldest', f_at, 'freeing', freeing);
    end if;
  end if;
  if k_merchant is not null then
    select json_build_object('version', version, 'value', record) into idempotency
    from rescore_idempotency where merchant_id = k_merchant and idempotency_key = k_key;
  end if;
  if b_id is not null then
    select json_build_object('version', version, 'value', record) into beneficiary
    from rescore_beneficiary where beneficiary_id = b_id;
  end if;
end
$$;

-- One decision's writes, in one statement: each conditional on the version read (null: the
-- record was absent), in a fixed order (quota, key, beneficiary), so two decisions never wait on
-- each other in a cycle. A record that moved raises serialization_failure (40001): the statement
-- rolls back whole and the caller decides again.
create function rescore_write(
  q_merchant text, q_expected bigint, q_head bigint, q_length bigint, q_time bigint,
  k_merchant text, k_key text, k_expected bigint, k_record jsonb, k_expires bigint,
  b_id text, b_expected bigint, b_record jsonb, b_expires bigint
) returns void
language plpgsql as $$
declare
  n int;
  -- One new version for every record this decision writes (versions need only be fresh).
  v bigint := nextval('rescore_version');
begin
  if q_merchant is not null then
    if q_expected is null then
      insert into rescore_quota (merchant_id, head, length, latest_at, version)
      values (q_merchant, q_head, q_length + 1, q_time, v)
      on conflict do nothing;
    else
      update rescore_quota
      set head = q_head, length = q_length + 1, latest_at = q_time, version = v
      where merchant_id = q_merchant and version = q_expected and length = q_length;
    end if;
    get diagnostics n = row_count;
    if n = 0 then
      raise exception 'quota log of % moved', q_merchant using errcode = '40001';
    end if;
    insert into rescore_admission (merchant_id, seq, admitted_at) values (q_merchant, q_length, q_time);
  end if;
  if k_merchant is not null then
    if k_record is null then
      delete from rescore_idempotency
      where merchant_id = k_merchant and idempotency_key = k_key and version = k_expected;
    elsif k_expected is null then
      insert into rescore_idempotency (merchant_id, idempotency_key, record, expires_at, version)
      values (k_merchant, k_key, k_record, k_expires, v)
      on conflict do nothing;
    else
      update rescore_idempotency
      set record = k_record, expires_at = k_expires, version = v
      where merchant_id = k_merchant and idempotency_key = k_key and version = k_expected;
    end if;
    get diagnostics n = row_count;
    if n = 0 then
      raise exception 'idempotency record % of % moved', k_key, k_merchant using errcode = '40001';
    end if;
  end if;
  if b_id is not null then
    if b_record is null then
      delete from rescore_beneficiary where beneficiary_id = b_id and version = b_expected;
    elsif b_expected is null then
      insert into rescore_beneficiary (beneficiary_id, record, expires_at, version)
      values (b_id, b_record, b_expires, v)
      on conflict do nothing;
    else
      update rescore_beneficiary
      set record = b_record, expires_at = b_expires, version = v
      where beneficiary_id = b_id and version = b_expected;
    end if;
    get diagnostics n = row_count;
    if n = 0 then
      raise exception 'beneficiary % moved', b_id using errcode = '40001';
    end if;
  end if;
end
$$;

-- Many decisions at once, from one instance (the store batches the decisions in flight
-- together: two round trips for the batch, not for each). The reads: one snapshot for all.
create function rescore_read_many(batch jsonb) returns json
language plpgsql stable as $$
declare
  item jsonb;
  r record;
  results json[] := '{}';
begin
  for item in select value from jsonb_array_elements(batch) loop
    select * into r from rescore_read(
      item->>'qm', (item->>'qn')::bigint, (item->>'qw')::bigint, (item->>'ql')::bigint,
      item->>'km', item->>'kk', item->>'b');
    results := results || json_build_object('quota', r.quota, 'idempotency', r.idempotency, 'beneficiary', r.beneficiary);
  end loop;
  return array_to_json(results);
end
$$;

-- The writes of many decisions, each applied whole or not at all (its own subtransaction), each
-- answering whether it landed. First every record the batch may write is locked, in one order
-- shared by every batch (an advisory lock per record, so records not yet written are covered
-- too): batches of different instances never wait on each other in a cycle.
create function rescore_write_many(batch jsonb) returns boolean[]
language plpgsql as $$
declare
  item jsonb;
  h bigint;
  oks boolean[] := '{}';
begin
  for h in
    select distinct x.h from (
      select hashtextextended('q' || (e->>'qm'), 0) as h from jsonb_array_elements(batch) e where e->>'qm' is not null
      union all
      select hashtextextended('k' || (e->>'km') || '/' || (e->>'kk'), 0) from jsonb_array_elements(batch) e where e->>'km' is not null
      union all
      select hashtextextended('b' || (e->>'b'), 0) from jsonb_array_elements(batch) e where e->>'b' is not null
    ) x order by x.h
  loop
    perform pg_advisory_xact_lock(h);
  end loop;
  for item in select value from jsonb_array_elements(batch) loop
    begin
      perform rescore_write(
        item->>'qm', (item->>'qe')::bigint, (item->>'qh')::bigint, (item->>'ql')::bigint, (item->>'qt')::bigint,
        item->>'km', item->>'kk', (item->>'ke')::bigint, nullif(item->'kr', 'null'::jsonb), (item->>'kx')::bigint,
        item->>'b', (item->>'be')::bigint, nullif(item->'br', 'null'::jsonb), (item->>'bx')::bigint);
      oks := oks || true;
    exception when serialization_failure or unique_violation or deadlock_detected then
      oks := oks || false;
    end;
  end loop;
  return oks;
end
$$;
