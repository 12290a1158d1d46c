import { largeMessageLines, type LargeMessageResult } from './large-messages';
import type { BenchOptions } from './options';
import type { StatsReport } from './process-stats';
import type { SendOutcome } from './sender';

const MIB = 1024 * 1024;
const LISTED_PROBLEMS = 8;
const LABEL_CHARS = 16;

/** Everything one measured run produced. */
export interface BenchResult {
  options: BenchOptions;
  /** Which database the service used. */
  database: string;
  send: SendOutcome;
  /** When each subject's subscription event arrived (`performance.now()`). */
  arrivedAt: ReadonlyMap<string, number>;
  subscriptionErrors: readonly string[];
  /** Memory and CPU of the service's processes (and the benchmark's) while sending. */
  processes: StatsReport;
  /** Peak memory while each large message was received and stored. */
  largeMessages: readonly LargeMessageResult[];
  /** Warn-or-worse lines the service logged during the whole run. */
  serviceProblems: ReadonlyMap<string, number>;
}

/** Delays from each 250 reply to its event, and how the rest went. */
interface DeliveryDelays {
  sortedMs: number[];
  missing: number;
  /** Events that reached the client before it saw the 250 (their delay is negative). */
  early: number;
}

function deliveryDelays(
  acceptedAt: ReadonlyMap<string, number>,
  arrivedAt: ReadonlyMap<string, number>,
): DeliveryDelays {
  const sortedMs: number[] = [];
  for (const [subject, repliedAt] of acceptedAt) {
    const arrived = arrivedAt.get(subject);
    if (arrived !== undefined) sortedMs.push(arrived - repliedAt);
  }
  sortedMs.sort((a, b) => a - b);
  return {
    sortedMs,
    missing: acceptedAt.size - sortedMs.length,
    early: sortedMs.filter((delay) => delay < 0).length,
  };
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

/** One report line: a label column, then the figures; continuation lines have no label. */
const line = (label: string, text: string): string => `  ${label.padEnd(LABEL_CHARS)}${text}`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

function tally(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  return counts;
}

function counted(counts: ReadonlyMap<string, number>): string[] {
  return [...counts]
    .sort(([, a], [, b]) => b - a)
    .slice(0, LISTED_PROBLEMS)
    .map(([text, n]) => line('', `${String(n).padStart(6)} × ${text}`));
}

function delayLines(delays: DeliveryDelays): string[] {
  const events = `${delays.sortedMs.length} events, ${delays.missing} missing`;
  if (delays.sortedMs.length === 0) return [line('250 → event', `none arrived (${events})`)];
  const at = (p: number): string => ms(percentile(delays.sortedMs, p));
  const min = ms(delays.sortedMs[0] ?? Number.NaN);
  const figures = `p50 ${at(50)}, p99 ${at(99)}, max ${at(100)} (min ${min})`;
  return [
    line('250 → event', figures),
    line('', `${events}, ${delays.early} arrived before their 250`),
  ];
}

function processLines({ windowMs, processes }: StatsReport): string[] {
  if (processes.size === 0) return [line('processes', '/proc not readable here')];
  const rss = [...processes].map(
    ([name, p]) => `${name} ${mib(p.lastRssBytes)} (peak ${mib(p.peakRssBytes)})`,
  );
  const cpu = [...processes].map(([name, p]) => {
    if (p.cpuMs === undefined) return `${name} n/a`;
    const share = ((100 * p.cpuMs) / windowMs).toFixed(0);
    return `${name} ${(p.cpuMs / 1000).toFixed(1)} s (${share}% of a core)`;
  });
  return [
    line('RSS', rss.join(', ')),
    line('CPU', `${cpu.join(', ')} in ${(windowMs / 1000).toFixed(1)} s`),
  ];
}

/** The figures as printed: one line per measure, problems listed below their line. */
export function formatReport(result: BenchResult): string {
  const { options, send } = result;
  const accepted = send.acceptedAt.size;
  const failed = [...send.failures.values()].reduce((sum, n) => sum + n, 0);
  const seconds = send.wallMs / 1000;
  const delays = deliveryDelays(send.acceptedAt, result.arrivedAt);
  const problems = [...result.serviceProblems.values()].reduce((sum, n) => sum + n, 0);

  const rate = (accepted / seconds).toFixed(1);
  return [
    'DustMail SMTP throughput',
    line(
      'setup',
      `${options.messages} messages with ${options.bodyBytes}-byte bodies, ` +
        `${options.connections} connection${options.connections === 1 ? '' : 's'}, ` +
        result.database,
    ),
    line('accepted', `${accepted} of ${options.messages} in ${seconds.toFixed(2)} s`),
    line('', `${rate} messages/s`),
    line('refused/errors', String(failed)),
    ...counted(send.failures),
    ...delayLines(delays),
    ...counted(tally(result.subscriptionErrors)),
    ...processLines(result.processes),
    line('service log', `${problems} warn-or-worse lines`),
    ...counted(result.serviceProblems),
    '',
    'DustMail memory per large message (peak resident memory of a fresh stack, and its rise)',
    ...largeMessageLines(result.largeMessages),
  ].join('\n');
}
