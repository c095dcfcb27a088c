export * from './Migrations.js'
export * from './PayoutStore.js'
export * from './RescoreStore.js'
export * from './Sql.js'
