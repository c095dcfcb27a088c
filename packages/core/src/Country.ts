/**
 * Countries: ISO 3166-1 alpha-2 codes, checked against the officially assigned list.
 */

import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { describeValue, type ValidationError, validationError } from './Validation.js'

// ---------------------------------------------------------------- model

/**
 * The 249 officially assigned ISO 3166-1 alpha-2 country codes.
 *
 * @example
 * import { countryCodes } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(countryCodes.length, 249)
 * assert.ok(countryCodes.includes('NG'))
 */
export const countryCodes: ReadonlyArray<string> = /* @__PURE__ */ (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW ' +
  'BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI ' +
  'FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN ' +
  'IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME ' +
  'MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF ' +
  'PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV ' +
  'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE ' +
  'YT ZA ZM ZW'
).split(' ')

const assigned = /* @__PURE__ */ new Set(countryCodes)

interface CountryBrand {
  readonly Country: unique symbol
}

/**
 * An ISO 3166-1 alpha-2 country code that is officially assigned.
 *
 * @example
 * import { Country } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(Country.is('GB'))
 * assert.ok(!Country.is('UK'))
 */
export const Country = /* @__PURE__ */ t.brand(
  t.string,
  (s): s is t.Branded<string, CountryBrand> => assigned.has(s),
  'Country',
)

/** An ISO 3166-1 alpha-2 country code. */
export type Country = t.TypeOf<typeof Country>

// ---------------------------------------------------------------- constructors

/**
 * Decodes a country code, or a `ValidationError` on the field `country`.
 *
 * @example
 * import { country } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(country('PH'), E.right('PH'))
 * assert.ok(E.isLeft(country('ph')))
 */
export const country = (u: unknown): E.Either<ValidationError, Country> =>
  Country.is(u)
    ? E.right(u)
    : E.left(
        validationError('country', `must be an assigned ISO 3166-1 alpha-2 code, got ${describeValue(u)}`),
      )
