#!/usr/bin/env node
import { fileURLToPath } from 'node:url'
import { runCli } from './index.js'

process.exitCode = await runCli(process.argv.slice(2), {
  out: process.stdout,
  err: process.stderr,
  examples: fileURLToPath(new URL('../../../examples/', import.meta.url)),
})
