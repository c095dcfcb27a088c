export * from './arbitraries.js'
export * from './hostile.js'
