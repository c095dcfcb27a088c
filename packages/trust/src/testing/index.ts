export * from './arbitraries.js'
