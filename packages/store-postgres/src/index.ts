export * from './Migrations.js'
export * from './Sql.js'
