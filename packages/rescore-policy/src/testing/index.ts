export * from './arbitraries.js'
export * from './scripts.js'
