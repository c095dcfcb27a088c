-- The rescore store's reads and writes, batch by batch, cheaper than 001's: the batch comes as
-- typed arrays (no jsonb to unpack field by field), one function body per batch (no nested
-- function call per decision), and no subtransaction per decision. A decision's writes are
-- applied only after every record it writes was checked at the version it read, under the
-- batch's advisory locks, which every writer of these records holds until it commits: nothing
-- can move a checked record before the write lands, so there is nothing to roll back. Prune, the
-- one other writer, only deletes: a write that then finds its row gone raises
-- serialization_failure (40001), the statement rolls back whole, and the store answers that
-- every decision of the batch lost its race (each reads and decides again).

drop function rescore_read_many(jsonb);
drop function rescore_write_many(jsonb);
drop function rescore_read(text, bigint, bigint, bigint, text, text, text);
drop function rescore_write(text, bigint, bigint, bigint, bigint, text, text, bigint, jsonb, bigint, text, bigint, jsonb, bigint);

-- The reads of a batch of decisions, in one statement (one snapshot: the function is stable).
-- Item i reads the quota log of qm[i] as of qn[i] (window qw[i], limit ql[i]), the idempotency
-- record (km[i], kk[i]) and the beneficiary b[i]; a null name reads nothing. The answer is a
-- json array, an object { quota, idempotency, beneficiary } per item, in order.
create function rescore_read_batch(
  qm text[], qn bigint[], qw bigint[], ql bigint[], km text[], kk text[], b text[]
) returns json
language plpgsql stable as $$
declare
  q rescore_quota%rowtype;
  f_seq bigint;
  f_at bigint;
  freeing bigint;
  quota json;
  idempotency json;
  beneficiary json;
  results json[] := '{}';
begin
  for i in 1 .. coalesce(cardinality(b), 0) loop
    quota := null;
    if qm[i] is not null then
      select * into q from rescore_quota where merchant_id = qm[i];
      if found then
        -- The first admission inside the window: walking from the head, in admission order.
        select a.seq, a.admitted_at into f_seq, f_at
        from rescore_admission a
        where a.merchant_id = qm[i] and a.seq >= q.head and a.seq < q.length
          and a.admitted_at > greatest(qn[i], q.latest_at) - qw[i]
        order by a.seq
        limit 1;
        -- The admission whose leaving frees a slot: the oldest live one, unless the log is full.
        if f_seq is not null and q.length - f_seq >= ql[i] then
          select a.admitted_at into freeing from rescore_admission a
          where a.merchant_id = qm[i] and a.seq = q.length - ql[i];
        else
          freeing := f_at;
        end if;
        quota := json_build_object(
          'version', q.version, 'length', q.length, 'latest', q.latest_at,
          'first', coalesce(f_seq, q.length), 'oldest', f_at, 'freeing', freeing);
      end if;
    end if;
    idempotency := null;
    if km[i] is not null then
      select json_build_object('version', k.version, 'value', k.record) into idempotency
      from rescore_idempotency k where k.merchant_id = km[i] and k.idempotency_key = kk[i];
    end if;
    beneficiary := null;
    if b[i] is not null then
      select json_build_object('version', r.version, 'value', r.record) into beneficiary
      from rescore_beneficiary r where r.beneficiary_id = b[i];
    end if;
    results := results || json_build_object('quota', quota, 'idempotency', idempotency, 'beneficiary', beneficiary);
  end loop;
  return array_to_json(results);
end
$$;

-- The writes of a batch of decisions, in one statement, answering for each whether it landed.
-- Item i: the quota log qm[i] read at version qe[i] (null: absent) gets an admission at qt[i]
-- (head qh[i], length ql[i] as read); the idempotency record (km[i], kk[i]) read at ke[i] becomes
-- kr[i] (null deletes it) expiring at kx[i]; the beneficiary b[i] read at be[i] becomes br[i]
-- expiring at bx[i]. A null name writes nothing.
create function rescore_write_batch(
  qm text[], qe bigint[], qh bigint[], ql bigint[], qt bigint[],
  km text[], kk text[], ke bigint[], kr jsonb[], kx bigint[],
  b text[], be bigint[], br jsonb[], bx bigint[]
) returns boolean[]
language plpgsql as $$
declare
  h bigint;
  n int;
  v bigint;
  current bigint;
  landed boolean;
  oks boolean[] := '{}';
begin
  -- Every record the batch may write, locked in one order shared by every batch (an advisory
  -- lock per record, so records not yet written are covered too): batches of different
  -- instances never wait on each other in a cycle.
  for h in
    select distinct hashtextextended(x.name, 0) as h
    from (
      select 'q' || m as name from unnest(qm) m
      union all select 'k' || m || '/' || k from unnest(km, kk) as u(m, k)
      union all select 'b' || r from unnest(b) r
    ) x
    where x.name is not null
    order by 1
  loop
    perform pg_advisory_xact_lock(h);
  end loop;
  for i in 1 .. coalesce(cardinality(b), 0) loop
    -- Check: every record still at the version read (each select sees what committed before
    -- the lock was granted, and an earlier decision of this batch).
    landed := true;
    if qm[i] is not null then
      select version into current from rescore_quota where merchant_id = qm[i];
      landed := current is not distinct from qe[i];
    end if;
    if landed and km[i] is not null then
      select version into current from rescore_idempotency where merchant_id = km[i] and idempotency_key = kk[i];
      landed := current is not distinct from ke[i];
    end if;
    if landed and b[i] is not null then
      select version into current from rescore_beneficiary where beneficiary_id = b[i];
      landed := current is not distinct from be[i];
    end if;
    oks := oks || landed;
    continue when not landed;
    -- Write: one new version for every record this decision writes (versions need only be fresh).
    v := nextval('rescore_version');
    if qm[i] is not null then
      if qe[i] is null then
        insert into rescore_quota (merchant_id, head, length, latest_at, version)
        values (qm[i], qh[i], ql[i] + 1, qt[i], v);
      else
        update rescore_quota
        set head = qh[i], length = ql[i] + 1, latest_at = qt[i], version = v
        where merchant_id = qm[i] and version = qe[i] and length = ql[i];
        get diagnostics n = row_count;
        if n = 0 then
          raise exception 'quota log of % moved', qm[i] using errcode = '40001';
        end if;
      end if;
      insert into rescore_admission (merchant_id, seq, admitted_at) values (qm[i], ql[i], qt[i]);
    end if;
    if km[i] is not null then
      if kr[i] is null then
        delete from rescore_idempotency
        where merchant_id = km[i] and idempotency_key = kk[i] and version = ke[i];
      elsif ke[i] is null then
        insert into rescore_idempotency (merchant_id, idempotency_key, record, expires_at, version)
        values (km[i], kk[i], kr[i], kx[i], v);
      else
        update rescore_idempotency
        set record = kr[i], expires_at = kx[i], version = v
        where merchant_id = km[i] and idempotency_key = kk[i] and version = ke[i];
      end if;
      get diagnostics n = row_count;
      if n = 0 then
        raise exception 'idempotency record % of % moved', kk[i], km[i] using errcode = '40001';
      end if;
    end if;
    if b[i] is not null then
      if br[i] is null then
        delete from rescore_beneficiary where beneficiary_id = b[i] and version = be[i];
      elsif be[i] is null then
        insert into rescore_beneficiary (beneficiary_id, record, expires_at, version)
        values (b[i], br[i], bx[i], v);
      else
        update rescore_beneficiary
        set record = br[i], expires_at = bx[i], version = v
        where beneficiary_id = b[i] and version = be[i];
      end if;
      get diagnostics n = row_count;
      if n = 0 then
        raise exception 'beneficiary % moved', b[i] using errcode = '40001';
      end if;
    end if;
  end loop;
  return oks;
end
$$;
