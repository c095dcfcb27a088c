export * from './KeyLayout.js'
export * from './RedisClient.js'
export * from './RescoreStore.js'
export * from './VelocityStore.js'
