export * from './dpop.js'
export * from './webhook.js'
