// Pinned examples reproducing the shapes of the seed documents 001 and 002.

import { describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import { compileRules, parseRules, rescoreTransaction, scoreTransaction } from '../src/index.js'

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}

describe('seed 001: a user platform event scored 0 by one matched zero-score rule', () => {
  const rules = right(
    parseRules({
      version: 'kyt-1',
      rules: [
        {
          id: '6602a0f43d40c8131dc4e17a',
          name: 'AFP1-agg-beh-eve-for-user-pla-eve-BBKP',
          description: 'Aggregate behavioral events for user platform events',
          status: 'ACTIVE',
          score: 0,
          dry_run: false,
          condition: { field: 'type', op: 'eq', value: 'userPlatformEvent' },
        },
      ],
    }),
  )
  const transaction = {
    txnId: 'general0001',
    type: 'userPlatformEvent',
    applicant: { address: { country: 'CAN' }, device: { platform: 'Mobile', ipInfo: { riskyAsn: false } } },
    userPlatformEventInfo: { type: 'general', failure: true },
  }

  test('the matched rule is listed with its score; score, dry score and tag scores are zero', () => {
    expect(right(scoreTransaction(compileRules(rules), transaction))).toEqual({
      rule_set_version: 'kyt-1',
      score: 0,
      dry_score: 0,
      action: 'approve',
      matched_rules: [
        {
          id: '6602a0f43d40c8131dc4e17a',
          name: 'AFP1-agg-beh-eve-for-user-pla-eve-BBKP',
          score: 0,
          dry_run: false,
        },
      ],
      unmatched_rules: [],
      missing_data_rules: [],
      rule_cnt: 1,
      dry_run_rule_cnt: 0,
      tag_scores: [],
    })
  })
})

describe('seed 002: a transaction rejected with score 150 = 50 + 50 + 50', () => {
  // The seed's rules, as conditions over its flat fields plus velocity features the caller
  // computed; its platform rejected at 150, so these thresholds are that platform's, not our defaults.
  const document = {
    version: 'global-json-4',
    thresholds: { review: 100, reject: 150 },
    rules: [
      {
        id: 'f0730189-62f7-4bf8-acad-27f15ad6b892',
        name: 'Merchant monthly limit',
        score: 0,
        condition: { field: 'features.merchant_amount_30d', op: 'lte', value: '100000.00' },
      },
      {
        id: 'dcb9cb62-742f-4126-b66e-d0f123b76a75',
        name: '[Account] First 5 outbound',
        score: 50,
        condition: { field: 'features.outbound_count_lifetime', op: 'lt', value: 5 },
      },
      {
        id: 'd18ba355-bcaa-461c-bbbb-e60902d080cf',
        name: '[73] Number of transactions performed at the same merchant',
        score: 50,
        condition: {
          all: [
            { field: 'merchantId', op: 'exists' },
            { field: 'features.merchant_count_24h', op: 'gte', value: 3 },
          ],
        },
      },
      {
        id: 'fbcb7fac-0ae2-4dab-a6ae-f940ae427ba5',
        name: '[72] Value of loads performed at the same agent daily and over time',
        score: 50,
        condition: {
          any: [
            { field: 'amount', op: 'gte', value: '500.00' },
            { field: 'recognizedDevice', op: 'eq', value: '0' },
          ],
        },
      },
      {
        id: '17686f40-7bac-4e15-8a70-2c640c99cc78',
        name: '[AML] Outbound - Criminals and Interpol Check',
        score: 0,
        condition: { field: 'bnfName', op: 'exists' },
      },
      {
        id: 'cea949db-7c66-4af2-9536-79aca6855d1e',
        name: '[AML] Outbound - PEP Check',
        score: 0,
        condition: { field: 'remitterName', op: 'exists' },
      },
      {
        id: 'e7aee336-831a-4203-82d3-e23fc24856a9',
        name: '[AML] In/Out - Check Beneficiary/Remitter - recordType: Sanctioned',
        score: 0,
        condition: { field: 'bnfName', op: 'matches', value: '^[A-Za-z ]+$' },
      },
    ].map((r) => ({ ...r, description: null, status: 'ACTIVE', dry_run: false })),
  }
  const transaction = {
    referenceId: 'a4a4f61d-bd1f-4e8a-b4c2-4c36f9f3a315',
    customerId: '550',
    amount: 800,
    transactionSubType: '0',
    merchantId: '12345',
    bnfName: 'Name Surname',
    remitterName: 'Name Surname',
    cardNumber: '1234567891',
    deviceId: '123456',
    recognizedDevice: '0',
  }
  const features = { merchant_amount_30d: '4200.00', outbound_count_lifetime: 2, merchant_count_24h: 4 }
  const compiled = compileRules(right(parseRules(JSON.stringify(document))))

  test('all seven rules match; the three 50-point rules make 150 and the transaction is rejected', () => {
    const result = right(scoreTransaction(compiled, transaction, features))
    expect(result.score).toBe(150)
    expect(result.action).toBe('reject')
    // listed in id order, whatever order the document gave
    expect(result.matched_rules.map((r) => [r.name, r.score])).toEqual([
      ['[AML] Outbound - Criminals and Interpol Check', 0],
      ['[AML] Outbound - PEP Check', 0],
      ['[73] Number of transactions performed at the same merchant', 50],
      ['[Account] First 5 outbound', 50],
      ['[AML] In/Out - Check Beneficiary/Remitter - recordType: Sanctioned', 0],
      ['Merchant monthly limit', 0],
      ['[72] Value of loads performed at the same agent daily and over time', 50],
    ])
    expect(result.unmatched_rules).toEqual([])
    expect(result.rule_cnt).toBe(7)
  })

  test('rescoring the stored transaction with the same rules changes nothing; without features three rules lack data', () => {
    const first = right(scoreTransaction(compiled, transaction, features))
    const same = right(rescoreTransaction(compiled, { transaction, features, result: first }))
    expect(same.current).toEqual(first)
    const bare = right(rescoreTransaction(compiled, { transaction, result: first }))
    expect(bare.current.score).toBe(50) // only [72] still matches, through amount 800 ≥ 500.00
    expect(bare.action_change).toEqual({ from: 'reject', to: 'approve', changed: true })
    expect(bare.stopped_matching.map((r) => r.name)).toEqual([
      '[73] Number of transactions performed at the same merchant',
      '[Account] First 5 outbound',
      'Merchant monthly limit',
    ])
    expect(bare.current.missing_data_rules.map((r) => r.missing_fields)).toEqual([
      ['features.merchant_count_24h'],
      ['features.outbound_count_lifetime'],
      ['features.merchant_amount_30d'],
    ])
  })
})
