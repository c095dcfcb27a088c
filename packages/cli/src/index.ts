// payout-kernel on the command line. `runCli` is the whole program, for embedding and tests.
import { Command, CommanderError } from 'commander'
import { exitCodes } from './commands/io.js'
import { scoreCommand } from './commands/score.js'
import { trustCommand, trustDemo } from './commands/trust.js'

export { exitCodes }

/** Where the program writes, and where the shipped example data lives. */
export interface CliIo {
  readonly out: NodeJS.WritableStream
  readonly err: NodeJS.WritableStream
  readonly examples: string
}

/** Runs the command line with the given arguments (without `node` and the script); resolves to the exit code. */
export const runCli = async (args: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  let code: number = exitCodes.ok
  const program = new Command('payout-kernel')
    .description('The decision logic of a payout platform, on the command line.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) })

  program
    .command('trust')
    .description("convert the engine's raw risk (an integer 0..1000) into trust score and tier")
    .argument('<raw>', 'raw risk, 0..1000')
    .action((raw: string) => {
      code = trustCommand(raw, io.out, io.err)
    })

  program
    .command('score')
    .description('score transactions with a rule set: results as NDJSON on stdout, a summary on stderr')
    .requiredOption('--rules <file>', 'scoring rule set (JSON)')
    .requiredOption('--transactions <file>', 'transactions, NDJSON or CSV (.csv, with a header row)')
    .option('--strict', 'stop at the first bad line (exit 2) instead of skipping it', false)
    .action(async (options: { rules: string; transactions: string; strict: boolean }) => {
      code = await scoreCommand(options, io)
    })

  program
    .command('demo')
    .description(
      'show the risk → trust → tier conversion and the rescore verdicts on the shipped example data',
    )
    .option('--file <path>', 'engine evaluations (JSON)', `${io.examples}engine-evaluations.json`)
    .action((options: { file: string }) => {
      code = trustDemo(options.file, io.out, io.err)
    })

  try {
    await program.parseAsync([...args], { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? exitCodes.ok : exitCodes.input
    throw e
  }
  return code
}
