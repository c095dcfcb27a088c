import { expect, test } from 'vitest'
import { capture, scratch } from './harness.js'

const rules = JSON.stringify({
  version: 'v1',
  thresholds: { review: 100, reject: 150 },
  rules: [
    {
      id: 'big',
      name: 'Large amount',
      status: 'ACTIVE',
      score: 100,
      dry_run: false,
      condition: { field: 'amount', op: 'gte', value: '1000.00' },
    },
    {
      id: 'dev',
      name: 'New device',
      status: 'ACTIVE',
      score: 50,
      dry_run: false,
      condition: { field: 'recognizedDevice', op: 'eq', value: '0' },
    },
    {
      id: 'busy',
      name: 'Busy',
      status: 'ACTIVE',
      score: 50,
      dry_run: false,
      condition: { field: 'features.count_24h', op: 'gt', value: 5 },
    },
  ],
})

const lines = [
  JSON.stringify({ referenceId: 't1', amount: '10.00', recognizedDevice: '1' }),
  JSON.stringify({ referenceId: 't2', amount: '1250.00', recognizedDevice: '0' }),
  'not json',
  JSON.stringify({
    transaction: { referenceId: 't3', amount: '5.00', recognizedDevice: '1' },
    features: { count_24h: 9 },
  }),
  JSON.stringify([1, 2]),
].join('\n')

/** Runs `score` with the rules above on the given NDJSON text. */
const scoreLines = (ndjson: string) => {
  const files = scratch({ 'rules.json': rules, 'txns.ndjson': ndjson })
  return capture([
    'score',
    '--rules',
    files['rules.json'] ?? '',
    '--transactions',
    files['txns.ndjson'] ?? '',
  ])
}

test('score writes one result per good line, reports bad lines with their line number, exits 1 on findings', async () => {
  const { code, out, err } = await scoreLines(lines)
  const results = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { line: number; score: number; action: string })
  expect(results.map((r) => [r.line, r.score, r.action])).toEqual([
    [1, 0, 'approve'],
    [2, 150, 'reject'],
    [4, 50, 'approve'],
  ])
  expect(err).toMatch(/txns\.ndjson:3: is not JSON/)
  expect(err).toMatch(/txns\.ndjson:5: transaction: /)
  expect(code).toBe(1)
})

test('--strict stops at the first bad line with exit 2', async () => {
  const files = scratch({ 'rules.json': rules, 'txns.ndjson': lines })
  const { code, out } = await capture([
    'score',
    '--strict',
    '--rules',
    files['rules.json'] ?? '',
    '--transactions',
    files['txns.ndjson'] ?? '',
  ])
  expect(code).toBe(2)
  expect(out.trim().split('\n')).toHaveLength(2)
})

test('invalid rules are refused with the field path, exit 2, no stack trace', async () => {
  const files = scratch({
    'rules.json': JSON.stringify([
      {
        id: 'x',
        name: 'x',
        status: 'ACTIVE',
        score: 1,
        dry_run: false,
        condition: { field: 'a', op: 'like', value: 1 },
      },
    ]),
    'txns.ndjson': '{}',
  })
  const { code, err } = await capture([
    'score',
    '--rules',
    files['rules.json'] ?? '',
    '--transactions',
    files['txns.ndjson'] ?? '',
  ])
  expect(code).toBe(2)
  expect(err).toMatch(/rules\.0\.condition/)
  expect(err).not.toMatch(/\n\s+at /)
})

test('CSV transactions are read with a header row', async () => {
  const files = scratch({
    'rules.json': rules,
    'txns.csv': 'referenceId,amount,recognizedDevice\nt1,1000.00,0\nt2,1.00,1\n',
  })
  const { out } = await capture([
    'score',
    '--rules',
    files['rules.json'] ?? '',
    '--transactions',
    files['txns.csv'] ?? '',
  ])
  expect(
    out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { line: number; score: number }).score),
  ).toEqual([150, 0])
})

test('a non-finite number nested in a transaction (1e999 reads as Infinity) is a bad line naming its path', async () => {
  const nested = [
    '{"referenceId":"t1","amount":"10.00","meta":{"device":{"risk":1e999}}}',
    '{"referenceId":"t2","amount":"10.00","scores":[1,-1e999]}',
    JSON.stringify({ referenceId: 't3', amount: '1250.00', meta: { device: { risk: 3 } } }),
  ].join('\n')
  const { code, out, err } = await scoreLines(nested)
  expect(err).toMatch(
    /txns\.ndjson:1: transaction\.meta\.device\.risk: must be a finite number, got Infinity/,
  )
  expect(err).toMatch(/txns\.ndjson:2: transaction\.scores\.1: must be a finite number, got -Infinity/)
  expect(
    out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { line: number }).line),
  ).toEqual([3])
  expect(code).toBe(1)
})
