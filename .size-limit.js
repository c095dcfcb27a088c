// Size budgets (`pnpm run size`, enforced by .ci/run): what a browser bundle of a domain package,
// or of one function, costs its user. Each entry is bundled from the built dist/ with esbuild,
// minified (as a bundler would for a browser: fp-ts and io-ts through their ES modules, tree-shaken),
// and measured as is ("min") or gzipped ("gzip"). fp-ts and io-ts are counted: a user pays for them.
// Budgets are today's size plus a little room; a change that grows one past its budget fails CI,
// and says so, rather than drifting. Figures and history: docs/bundle-size.md. (Raised once by the
// hostile-input guard, core's guardDecoder, about 1.7 kB minified: docs/mutation-testing.md.)
const esm = (config) => ({ ...config, format: 'esm', platform: 'browser' })

/** A whole package: everything it exports. */
const whole = (pkg, min, gzip) => [
  { name: `${pkg} (min)`, path: `packages/${pkg}/dist/index.js`, import: '*', limit: min, brotli: false },
  { name: `${pkg} (gzip)`, path: `packages/${pkg}/dist/index.js`, import: '*', limit: gzip, gzip: true },
]

/** One function imported alone. */
const alone = (pkg, fn, min) => ({
  name: `${fn} alone (min)`,
  path: `packages/${pkg}/dist/index.js`,
  import: `{ ${fn} }`,
  limit: min,
  brotli: false,
})

export default [
  ...whole('core', '26.5 kB', '10 kB'),
  ...whole('trust', '17.5 kB', '5.5 kB'),
  ...whole('payout-machine', '101 kB', '34 kB'),
  ...whole('velocity', '101 kB', '34 kB'),
  ...whole('scoring', '245 kB', '75 kB'),
  ...whole('rescore-policy', '50 kB', '15.5 kB'),
  ...whole('screening', '68 kB', '25 kB'),
  ...whole('evaluation', '84 kB', '30 kB'),
  ...whole('request-auth', '57 kB', '19 kB'),
  alone('trust', 'trustFromRisk', '0.8 kB'),
  alone('trust', 'tierOf', '0.5 kB'),
  alone('core', 'formatMoney', '1 kB'),
  alone('core', 'parseMoney', '11 kB'),
  alone('payout-machine', 'startPayout', '29.5 kB'),
  alone('scoring', 'scoreTransaction', '7 kB'),
  alone('velocity', 'evaluate', '27 kB'),
].map((check) => ({ ...check, modifyEsbuildConfig: esm }))
