export * from './Generators.js'
export * from './PayoutCommands.js'
export * from './RescoreCommands.js'
