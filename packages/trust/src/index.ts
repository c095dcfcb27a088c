export * from './RescoreVerdict.js'
export * from './Tier.js'
export * from './TrustScore.js'
