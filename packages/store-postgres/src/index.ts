export * from './Migrations.js'
export * from './RescoreStore.js'
export * from './Sql.js'
