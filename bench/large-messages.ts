import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

import nodemailer from 'nodemailer';

import { createInbox } from './inbox';
import { type Stack, type StackOptions, startStack } from './stack';
import { Teardown } from './teardown';

const MIB = 1024 * 1024;
const KIB = 1024;
/** Sizes of the memory run, in MiB of raw message. */
export const LARGE_MESSAGE_MIB = [1, 10, 25] as const;
const SEND_TIMEOUT_MS = 120_000;
/** A base64 line carries 57 bytes in 76 characters plus CRLF. */
const BASE64_GROWTH = 78 / 57;
const MIME_OVERHEAD_BYTES = 2048;

/** Memory of the service's processes around one large message. */
export interface LargeMessageResult {
  mib: number;
  /** Per process: resident before the send, and the high-water mark once it is stored. */
  rss: Map<string, { beforeBytes: number; peakBytes: number }>;
  accepted: boolean;
  reply: string;
}

/** VmRSS and VmHWM (the peak resident set) from /proc; undefined off Linux. */
async function residentBytes(pid: number): Promise<{ now: number; peak: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
    const [now, peak] = [kib('VmRSS') * KIB, kib('VmHWM') * KIB];
    return Number.isFinite(now) && Number.isFinite(peak) ? { now, peak } : undefined;
  } catch {
    return undefined;
  }
}

/** A message of about `mib` MiB: a short text and one attachment of random bytes. */
function largeMessage(mib: number, to: string) {
  const attachmentBytes = Math.floor((mib * MIB - MIME_OVERHEAD_BYTES) / BASE64_GROWTH);
  return {
    from: 'DustMail bench <bench@example.test>',
    to,
    subject: `bench large ${mib} MiB`,
    text: 'A large message for the memory run.',
    attachments: [{ filename: 'payload.bin', content: randomBytes(attachmentBytes) }],
  };
}

async function send(stack: Stack, message: nodemailer.SendMailOptions): Promise<string> {
  const transport = nodemailer.createTransport({
    host: stack.smtpHost,
    port: stack.smtpPort,
    secure: false,
    ignoreTLS: true,
    socketTimeout: SEND_TIMEOUT_MS,
  });
  try {
    return (await transport.sendMail(message)).response;
  } finally {
    transport.close();
  }
}

function pidsOf(stack: Stack): Map<string, number> {
  const pids = new Map([['serve', stack.pids.serve]]);
  if (stack.pids.haraka !== undefined) pids.set('haraka', stack.pids.haraka);
  return pids;
}

/** One size on a stack of its own, so that no earlier message has raised the peak. */
async function measureOne(
  mib: number,
  options: StackOptions,
  signal: AbortSignal,
): Promise<LargeMessageResult> {
  const teardown = new Teardown();
  try {
    const stack = await startStack(options, teardown, signal);
    const key = await stack.createPremiumAccount(`large.${mib}@example.test`, signal);
    const inbox = await createInbox(stack.httpUrl, key, signal);
    // A small message first, so code and pools are loaded before the baseline.
    await send(stack, { from: 'bench@example.test', to: inbox.email, text: 'warm-up' });

    const pids = pidsOf(stack);
    const before = new Map<string, number>();
    for (const [name, pid] of pids) {
      // Resets VmHWM to the current size, so the peak read later is this message's.
      // Where /proc cannot be written the peak includes start-up; the figure says less then.
      await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined);
      before.set(name, (await residentBytes(pid))?.now ?? 0);
    }
    let reply: string;
    let accepted = false;
    try {
      reply = await send(stack, largeMessage(mib, inbox.email));
      accepted = /^250 /.test(reply);
    } catch (err) {
      reply = err instanceof Error ? err.message : String(err);
    }
    const rss = new Map<string, { beforeBytes: number; peakBytes: number }>();
    for (const [name, pid] of pids) {
      const read = await residentBytes(pid);
      if (read) rss.set(name, { beforeBytes: before.get(name) ?? 0, peakBytes: read.peak });
    }
    return { mib, rss, accepted, reply };
  } finally {
    await teardown.run();
  }
}

/**
 * Sends one message of each size to a fresh stack and reads the peak resident memory
 * (VmHWM) of the service's processes once the 250 reply says it is stored.
 */
export async function measureLargeMessages(
  options: StackOptions,
  signal: AbortSignal,
): Promise<LargeMessageResult[]> {
  const results: LargeMessageResult[] = [];
  for (const mib of LARGE_MESSAGE_MIB) results.push(await measureOne(mib, options, signal));
  return results;
}

/** Report lines: one per size, with each process's peak and its rise over the baseline. */
export function largeMessageLines(results: readonly LargeMessageResult[]): string[] {
  const fmt = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;
  return results.map((result) => {
    const label = `${result.mib} MiB message`.padEnd(16);
    if (!result.accepted) return `  ${label}not accepted: ${result.reply.slice(0, 100)}`;
    const figures = [...result.rss].map(
      ([name, { beforeBytes, peakBytes }]) =>
        `${name} peak ${fmt(peakBytes)} (+${fmt(peakBytes - beforeBytes)})`,
    );
    return `  ${label}${figures.join(', ')}`;
  });
}
