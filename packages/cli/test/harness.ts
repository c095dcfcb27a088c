// Runs the command line in-process with captured output, and writes scratch input files.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll } from 'vitest'
import { runCli } from '../src/index.js'

export const examples = fileURLToPath(new URL('../../../examples/', import.meta.url))

export const capture = async (args: ReadonlyArray<string>) => {
  const out = new PassThrough()
  const err = new PassThrough()
  const chunks = { out: '', err: '' }
  out.on('data', (c: Buffer) => {
    chunks.out += c.toString()
  })
  err.on('data', (c: Buffer) => {
    chunks.err += c.toString()
  })
  const code = await runCli(args, { out, err, examples })
  return { code, ...chunks }
}

const made: string[] = []
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

/** A fresh directory in the OS temp dir, removed when the test file's tests are done. */
export const tempDir = (prefix: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  made.push(dir)
  return dir
}

export const scratch = (files: Record<string, string>): Record<string, string> => {
  const dir = tempDir('payout-kernel-cli-')
  return Object.fromEntries(
    Object.entries(files).map(([name, content]) => {
      const file = path.join(dir, name)
      fs.writeFileSync(file, content)
      return [name, file]
    }),
  )
}
