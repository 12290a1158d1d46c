import { randomBytes } from 'node:crypto';

import { type Arrivals, subscribeToInbox } from './arrivals';
import { createInbox } from './inbox';
import { LARGE_MESSAGE_MIB, measureLargeMessages } from './large-messages';
import { type BenchOptions, OptionsError, readOptions } from './options';
import { sampleProcesses } from './process-stats';
import { type BenchResult, formatReport } from './report';
import { createSender, type Sender } from './sender';
import { startStack } from './stack';
import { Teardown } from './teardown';

/** Bound on the events of the warm-up messages, which also open the service's DB pools. */
const WARM_UP_SETTLE_MS = 30_000;
/** How long the teardown may run past the run's own limit before the process gives up. */
const TEARDOWN_BUDGET_MS = 60_000;
const EXIT_INTERRUPTED = 130;
const EXIT_USAGE = 2;

function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Unique subjects, by which subscription events are matched to the messages sent. */
function subjects(runId: string, label: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench ${runId} ${label} ${i + 1}`);
}

/**
 * Sends one message per connection and waits for their events, so the timed run starts
 * with open SMTP connections, warm pools in both service processes and a live subscription.
 */
async function warmUp(
  sender: Sender,
  arrivals: Arrivals,
  batch: string[],
  signal: AbortSignal,
): Promise<void> {
  const outcome = await sender.send(batch, signal);
  if (outcome.acceptedAt.size < batch.length) {
    const reasons = [...outcome.failures.keys()].join('; ');
    throw new Error(`warm-up messages were refused: ${reasons}`);
  }

  await arrivals.waitFor(batch, WARM_UP_SETTLE_MS, signal);
  const missing = batch.filter((subject) => !arrivals.at.has(subject)).length;
  if (missing > 0) {
    const errors = arrivals.errors.join('; ') || 'no subscription error reported';
    throw new Error(`${missing} of ${batch.length} warm-up events did not arrive (${errors})`);
  }
}

async function runBench(
  options: BenchOptions,
  teardown: Teardown,
  signal: AbortSignal,
): Promise<BenchResult> {
  const runId = randomBytes(4).toString('hex');
  progress(options.databaseUrl ? 'starting DustMail on a scratch database' : 'starting DustMail');
  const stackOptions = { databaseUrl: options.databaseUrl, parentEnv: process.env };
  const stack = await startStack(stackOptions, teardown, signal);

  const key = await stack.createPremiumAccount(`bench.${runId}@example.test`, signal);
  const inbox = await createInbox(stack.httpUrl, key, signal);
  const arrivals = await subscribeToInbox(stack.wsUrl, key, inbox.id, signal);
  teardown.add('subscription', () => arrivals.close());
  const sender = createSender({
    host: stack.smtpHost,
    port: stack.smtpPort,
    connections: options.connections,
    to: inbox.email,
    bodyBytes: options.bodyBytes,
  });
  teardown.add('SMTP pool', async () => sender.close());

  progress('warming up');
  await warmUp(sender, arrivals, subjects(runId, 'warm-up', options.connections), signal);

  progress(`sending ${options.messages} messages over ${options.connections} connections`);
  const pids = new Map([['serve', stack.pids.serve]]);
  if (stack.pids.haraka !== undefined) pids.set('haraka', stack.pids.haraka);
  pids.set('bench', process.pid);
  const stats = sampleProcesses(pids);
  const send = await sender.send(subjects(runId, 'message', options.messages), signal);
  await arrivals.waitFor([...send.acceptedAt.keys()], options.settleMs, signal);
  const processes = await stats.stop();

  progress(
    `sending one message each of ${LARGE_MESSAGE_MIB.join(', ')} MiB, each to a fresh stack`,
  );
  const largeMessages = await measureLargeMessages(stackOptions, signal);

  return {
    options,
    database: stack.database,
    send,
    arrivedAt: new Map(arrivals.at),
    subscriptionErrors: [...arrivals.errors],
    processes,
    largeMessages,
    serviceProblems: new Map(stack.log.problems),
  };
}

/** What ends a run early: its time limit, or SIGINT/SIGTERM. */
interface RunGuard {
  signal: AbortSignal;
  wasInterrupted(): boolean;
  /** Clears the time limit once the run is over; the teardown has a budget of its own. */
  release(): void;
}

function guardRun(timeoutMs: number): RunGuard {
  const controller = new AbortController();
  const limit = setTimeout(() => {
    controller.abort(new Error(`the run passed its ${timeoutMs / 1000} s limit`));
  }, timeoutMs);
  // The last resort if a teardown step hangs; the service still gets SIGTERM on exit.
  setTimeout(() => {
    progress('teardown did not finish in time; exiting');
    process.exit(1);
  }, timeoutMs + TEARDOWN_BUDGET_MS).unref();

  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Repeated signals do not cut the teardown short: it is bounded, and it stops the service.
    if (interrupted) return progress('still stopping DustMail');
    interrupted = true;
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  return {
    signal: controller.signal,
    wasInterrupted: () => interrupted,
    release: () => clearTimeout(limit),
  };
}

/** Runs the benchmark, stops everything it started, and returns the exit code. */
async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = readOptions(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    progress(err.message);
    return EXIT_USAGE;
  }

  const guard = guardRun(options.timeoutMs);
  const teardown = new Teardown();
  let exitCode = 0;
  try {
    const result = await runBench(options, teardown, guard.signal);
    process.stdout.write(`${formatReport(result)}\n`);
  } catch (err) {
    // Node's own APIs reject with a generic AbortError; the signal's reason says why.
    progress(`failed: ${errorText(guard.signal.aborted ? guard.signal.reason : err)}`);
    exitCode = guard.wasInterrupted() ? EXIT_INTERRUPTED : 1;
  } finally {
    guard.release();
  }

  progress('stopping DustMail');
  const failures = await teardown.run();
  for (const failure of failures) progress(`teardown: ${failure}`);
  return failures.length > 0 && exitCode === 0 ? 1 : exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    progress(`crashed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
