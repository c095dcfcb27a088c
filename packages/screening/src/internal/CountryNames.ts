// Country names as the lists spell them ("Korea, North", "Burma", "Iran") to ISO 3166-1 alpha-2.
// English names of every assigned code come from Intl.DisplayNames when the runtime has them; the
// spellings OFAC uses are listed here so that they do not depend on the runtime's locale data.
import { Country, countryCodes } from '@payout-kernel/core'

const key = (name: string): string =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()

const spellings: ReadonlyArray<readonly [string, string]> = [
  ['korea, north', 'KP'],
  ['north korea', 'KP'],
  ["korea, democratic people's republic of", 'KP'],
  ['korea, south', 'KR'],
  ['south korea', 'KR'],
  ['korea, republic of', 'KR'],
  ['burma', 'MM'],
  ['myanmar', 'MM'],
  ['congo, democratic republic of the', 'CD'],
  ['democratic republic of the congo', 'CD'],
  ['congo, republic of the', 'CG'],
  ['republic of the congo', 'CG'],
  ['russia', 'RU'],
  ['russian federation', 'RU'],
  ['iran', 'IR'],
  ['syria', 'SY'],
  ['venezuela', 'VE'],
  ['bolivia', 'BO'],
  ['tanzania', 'TZ'],
  ['laos', 'LA'],
  ['vietnam', 'VN'],
  ['west bank', 'PS'],
  ['gaza', 'PS'],
  ['region: gaza', 'PS'],
  ['palestinian', 'PS'],
  ['palestine', 'PS'],
  ['turkey', 'TR'],
  ['turkiye', 'TR'],
  ['czech republic', 'CZ'],
  ['czechia', 'CZ'],
  ['macedonia', 'MK'],
  ['north macedonia', 'MK'],
  ['bahamas, the', 'BS'],
  ['the bahamas', 'BS'],
  ['gambia, the', 'GM'],
  ['the gambia', 'GM'],
  ["cote d'ivoire", 'CI'],
  ['ivory coast', 'CI'],
  ['micronesia, federated states of', 'FM'],
  ['moldova', 'MD'],
  ['united states', 'US'],
  ['united states of america', 'US'],
  ['usa', 'US'],
  ['united kingdom', 'GB'],
  ['uk', 'GB'],
  ['great britain', 'GB'],
  ['holy see', 'VA'],
  ['vatican city', 'VA'],
  ['swaziland', 'SZ'],
  ['eswatini', 'SZ'],
  ['brunei', 'BN'],
  ['cape verde', 'CV'],
  ['cabo verde', 'CV'],
  ['timor-leste', 'TL'],
  ['east timor', 'TL'],
  ['hong kong', 'HK'],
  ['macau', 'MO'],
  ['taiwan', 'TW'],
  ['united arab emirates', 'AE'],
  ['uae', 'AE'],
  ['netherlands', 'NL'],
  ['the netherlands', 'NL'],
  ['cyprus', 'CY'],
  ['cuba', 'CU'],
  ['lebanon', 'LB'],
  ['iraq', 'IQ'],
  ['libya', 'LY'],
  ['belize', 'BZ'],
  ['mexico', 'MX'],
  ['colombia', 'CO'],
  ['china', 'CN'],
  ['germany', 'DE'],
  ['france', 'FR'],
  ['spain', 'ES'],
  ['switzerland', 'CH'],
  ['panama', 'PA'],
  ['malta', 'MT'],
  ['greece', 'GR'],
  ['ukraine', 'UA'],
  ['belarus', 'BY'],
  ['yemen', 'YE'],
  ['afghanistan', 'AF'],
  ['pakistan', 'PK'],
  ['nigeria', 'NG'],
  ['kenya', 'KE'],
  ['sudan', 'SD'],
  ['south sudan', 'SS'],
  ['somalia', 'SO'],
  ['saudi arabia', 'SA'],
  ['qatar', 'QA'],
  ['egypt', 'EG'],
  ['jordan', 'JO'],
  ['india', 'IN'],
  ['singapore', 'SG'],
  ['malaysia', 'MY'],
  ['indonesia', 'ID'],
  ['philippines', 'PH'],
  ['portugal', 'PT'],
  ['italy', 'IT'],
  ['canada', 'CA'],
  ['brazil', 'BR'],
  ['argentina', 'AR'],
  ['nicaragua', 'NI'],
]

/** Names that mean "no country known": neither a country nor a problem. */
const noCountry = /* @__PURE__ */ new Set(['undetermined', 'unknown', 'stateless', 'none'])

const byName: ReadonlyMap<string, Country> = /* @__PURE__ */ (() => {
  const map = new Map<string, Country>()
  try {
    const display = new Intl.DisplayNames(['en'], { type: 'region' })
    for (const code of countryCodes) {
      const name = display.of(code)
      if (name !== undefined && Country.is(code)) map.set(key(name), code)
    }
  } catch {
    // a runtime without locale data: the spellings below still apply
  }
  for (const [name, code] of spellings) if (Country.is(code)) map.set(key(name), code)
  return map
})()

/** What a country name is: a country, nothing known, or a name not recognised. */
export type CountryReading =
  | { readonly _tag: 'Country'; readonly country: Country }
  | { readonly _tag: 'NoCountry' }
  | { readonly _tag: 'Unrecognised' }

const readings = /* @__PURE__ */ new Map<string, CountryReading>()

/** The country a list's name of it means (remembered: a list names the same few countries again and again). */
export const readCountryName = (name: string): CountryReading => {
  const known = readings.get(name)
  if (known !== undefined) return known
  const reading = readName(name)
  if (readings.size < 10_000) readings.set(name, reading)
  return reading
}

const readName = (name: string): CountryReading => {
  const k = key(name)
  if (k === '' || noCountry.has(k)) return { _tag: 'NoCountry' }
  const country =
    byName.get(k) ?? (Country.is(name.trim().toUpperCase()) ? name.trim().toUpperCase() : undefined)
  return country === undefined ? { _tag: 'Unrecognised' } : { _tag: 'Country', country: country as Country }
}

/** The country of an ISO alpha-2 code in any case (`ir`, `IR`), as OpenSanctions gives them. */
export const readCountryCode = (code: string): CountryReading => {
  const upper = code.trim().toUpperCase()
  if (upper === '' || upper === 'ZZ') return { _tag: 'NoCountry' }
  return Country.is(upper) ? { _tag: 'Country', country: upper } : { _tag: 'Unrecognised' }
}
