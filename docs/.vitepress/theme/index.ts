// The default theme, plus the live examples, usable in any page as <TrustLive />, <LifecycleLive />,
// <VelocityLive /> and <ScoringLive />.
import type { Theme } from 'vitepress'
import DefaultTheme from 'vitepress/theme'
import LifecycleLive from './LifecycleLive.vue'
import ScoringLive from './ScoringLive.vue'
import TrustLive from './TrustLive.vue'
import VelocityLive from './VelocityLive.vue'
import './live.css'

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('TrustLive', TrustLive)
    app.component('LifecycleLive', LifecycleLive)
    app.component('VelocityLive', VelocityLive)
    app.component('ScoringLive', ScoringLive)
  },
} satisfies Theme
