// The public face of @payout-kernel/screening: re-exports only.

export * from './ListEntry.js'
export * from './ListLoad.js'
export * from './Name.js'
export * from './OfacSdn.js'
export * from './OpenSanctions.js'
export * from './Party.js'
export * from './SanctionsIndex.js'
export * from './Screening.js'
export * from './ScreeningConfig.js'
