// `payout-kernel generate --out dir [--payouts n] [--seed s]`: writes the example data set.
import fs from 'node:fs'
import path from 'node:path'
import { generateExamples } from '../examples/generate.js'
import { type CommandIo, exitCodes } from './io.js'

/** Options of `generate`. */
export interface GenerateOptions {
  readonly out: string
  readonly payouts: string
  readonly transactions: string
  readonly lifecycles: string
  readonly seed: string
}

const whole = (name: string, s: string): number | string =>
  /^\d{1,9}$/.test(s) ? Number(s) : `--${name} must be a whole number, got ${JSON.stringify(s)}`

/** Runs `generate`; the files are written with buffered streams, a line at a time. */
export const generateCommand = (options: GenerateOptions, io: CommandIo): number => {
  const values = {
    payouts: whole('payouts', options.payouts),
    transactions: whole('transactions', options.transactions),
    lifecycles: whole('lifecycles', options.lifecycles),
    seed: whole('seed', options.seed),
  }
  for (const v of Object.values(values))
    if (typeof v === 'string') {
      io.err.write(`payout-kernel generate: ${v}\n`)
      return exitCodes.input
    }
  fs.mkdirSync(options.out, { recursive: true })
  const counts = generateExamples(
    {
      seed: values.seed as number,
      payouts: values.payouts as number,
      transactions: values.transactions as number,
      lifecycles: values.lifecycles as number,
    },
    {
      file: (name) => {
        const fd = fs.openSync(path.join(options.out, name), 'w')
        let buffer: string[] = []
        let size = 0
        const flush = () => {
          fs.writeSync(fd, buffer.join(''))
          buffer = []
          size = 0
        }
        return {
          write: (line) => {
            buffer.push(line)
            size += line.length
            if (size > 1 << 20) flush()
          },
          close: () => {
            flush()
            fs.closeSync(fd)
          },
        }
      },
    },
  )
  for (const [name, n] of Object.entries(counts))
    io.out.write(`${path.join(options.out, name)}\t${n} line(s)\n`)
  return exitCodes.ok
}
