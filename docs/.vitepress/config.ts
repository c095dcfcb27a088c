// The documentation site: VitePress builds docs/*.md (the guides, whose ```ts blocks the example
// runner executes) into a static site; the live examples are Vue components (theme/) over the
// modules in docs/live/, which the test suite runs too (docs/live.test.ts).
// `pnpm run docs:build` writes docs/.vitepress/dist; `pnpm run docs:dev` serves it while editing.
import { defineConfig } from 'vitepress'

const guides = [
  { text: 'Overview', link: '/' },
  { text: 'Money, ids and errors', link: '/money' },
  { text: 'Raw risk to trust (live)', link: '/trust' },
  { text: 'The payout lifecycle (live)', link: '/payout-lifecycle' },
  { text: 'Velocity rules (live)', link: '/velocity' },
  { text: 'Rescore policy', link: '/rescore' },
  { text: 'Risk scoring (live)', link: '/scoring' },
  { text: 'Many instances', link: '/many-instances' },
  { text: 'Sanctions screening', link: '/screening' },
  { text: 'Authenticating requests', link: '/request-auth' },
  { text: 'Testing your service', link: '/testing-your-service' },
  { text: 'The command line', link: '/cli' },
  { text: 'The domain', link: '/domain' },
  { text: 'Bundle size', link: '/bundle-size' },
  { text: 'Tests proven to catch bugs', link: '/mutation-testing' },
]

export default defineConfig({
  title: 'payout-kernel',
  description: 'The decision logic of a payout platform as pure, property-tested TypeScript.',
  srcExclude: ['.generated/**', '.api/**', 'node_modules/**'],
  // Guides link to sources and files outside docs/ (../packages/…, ../examples/…), which the site
  // does not serve; links between guides are checked.
  ignoreDeadLinks: [/^\.\.\//],
  themeConfig: {
    nav: [{ text: 'Guides', link: '/' }],
    sidebar: [{ text: 'Guides', items: guides }],
    search: { provider: 'local' },
  },
  vite: {
    // The library in the server-side render too goes through a bundler's resolution (fp-ts's and
    // io-ts's ES modules), as in the browser.
    ssr: { noExternal: ['fp-ts', 'io-ts', /^@payout-kernel\//] },
  },
})
