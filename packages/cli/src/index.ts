// payout-kernel on the command line. `runCli` is the whole program, for embedding and tests.
import { Command, CommanderError, Option } from 'commander'
import { generateCommand } from './commands/generate.js'
import { exitCodes } from './commands/io.js'
import { replayCommand } from './commands/replay.js'
import { scoreCommand } from './commands/score.js'
import { screenCommand } from './commands/screen.js'
import { simulateCommand } from './commands/simulate.js'
import { trustCommand } from './commands/trust.js'
import { InputError, isSystemError } from './input.js'

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
    .command('simulate')
    .description(
      'backtest velocity rules over a payout history: what each rule would have caught, and what a change breaks',
    )
    .requiredOption('--rules <file>', 'the current velocity rule set (JSON)')
    .option('--compare <file>', 'a proposed rule set to compare with the current one (JSON)')
    .requiredOption('--history <file>', 'payouts in time order, NDJSON or CSV (.csv, with a header row)')
    .option('--rates <file>', 'exchange rates [{ from, to, rate }] so other currencies count (JSON)')
    .option('--json', 'print the report as JSON', false)
    .option('--strict', 'stop at the first bad line (exit 2) instead of skipping it', false)
    .addOption(
      new Option(
        '--threads <n>',
        'read and decode the history in this thread (1) or in a second one while this one replays (2); default: 2 from 16 MiB',
      ).choices(['1', '2']),
    )
    .action(
      (options: {
        rules: string
        compare?: string
        history: string
        rates?: string
        json: boolean
        strict: boolean
        threads?: '1' | '2'
      }) => {
        const { threads, ...rest } = options
        code = simulateCommand(
          threads === undefined ? rest : { ...rest, threads: threads === '2' ? 2 : 1 },
          io,
        )
      },
    )

  program
    .command('replay')
    .description(
      'replay payout events through the state machine: final statuses, refused events, audit log and webhooks',
    )
    .requiredOption(
      '--events <file>',
      'event log, NDJSON lines { payout_id, event } (an event of type CREATED creates the payout)',
    )
    .option(
      '--config <file>',
      'payout machine config (JSON): review_tier, maker_checker, late_return_window_ms, tier bands',
    )
    .option('--audit-out <file>', 'write every audit record as NDJSON')
    .option('--webhooks-out <file>', 'write every webhook envelope as NDJSON')
    .option('--json', 'print the summary as JSON', false)
    .option('--strict', 'stop at the first bad line (exit 2) instead of skipping it', false)
    .action(
      (options: {
        events: string
        config?: string
        auditOut?: string
        webhooksOut?: string
        json: boolean
        strict: boolean
      }) => {
        code = replayCommand(options, io)
      },
    )

  program
    .command('generate')
    .description(
      'write the deterministic example data set: a year of payouts, rule sets, transactions, an event log',
    )
    .requiredOption('--out <dir>', 'directory to write into')
    .option('--payouts <n>', 'payouts in the year', '5000')
    .option('--transactions <n>', 'scoring transactions', '1000')
    .option('--lifecycles <n>', 'payouts in the event log', '300')
    .option('--seed <n>', 'random seed', '20250101')
    .action(
      (options: { out: string; payouts: string; transactions: string; lifecycles: string; seed: string }) => {
        code = generateCommand(options, io)
      },
    )

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
    .command('screen')
    .description(
      'screen parties (NDJSON names) against sanctions lists: hits, possible matches and clears, with the entry, name and fields that matched',
    )
    .option(
      '--list <file>',
      'a sanctions list, repeatable: OFAC sdn.csv (alt.csv, add.csv, sdn_comments.csv beside it are read with it) or OpenSanctions entities (.json/.ndjson)',
      (file: string, files: string[] | undefined) => [...(files ?? []), file],
    )
    .requiredOption('--names <file>', 'parties, NDJSON lines { "id"?, "name", "date_of_birth"?, "country"? }')
    .option('--alt <file>', 'OFAC alt.csv of the OFAC list, instead of the one beside it')
    .option('--add <file>', 'OFAC add.csv of the OFAC list, instead of the one beside it')
    .option('--comments <file>', 'OFAC sdn_comments.csv of the OFAC list, instead of the one beside it')
    .option('--hit-threshold <score>', 'a match scoring at least this is a hit (default 0.92)')
    .option(
      '--possible-threshold <score>',
      'a match scoring at least this is a possible match (default 0.85)',
    )
    .option('--json', 'print the summary and every party to review as JSON', false)
    .option(
      '--strict',
      'stop at the first bad line or rejected list row (exit 2) instead of skipping it',
      false,
    )
    .action(
      async (options: {
        list?: string[]
        names: string
        alt?: string
        add?: string
        comments?: string
        hitThreshold?: string
        possibleThreshold?: string
        json: boolean
        strict: boolean
      }) => {
        code = await screenCommand({ ...options, list: options.list ?? [] }, io)
      },
    )

  try {
    await program.parseAsync([...args], { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? exitCodes.ok : exitCodes.input
    // a file that fails mid-way (or an output that cannot be written): a message, not a stack trace
    if (e instanceof InputError || isSystemError(e)) {
      io.err.write(`payout-kernel: ${e.message}\n`)
      return exitCodes.input
    }
    throw e
  }
  return code
}
