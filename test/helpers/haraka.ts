import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import pino from 'pino';

import { writeHarakaConfig } from '../../src/smtp/haraka-config';
import { type HarakaProcess, startHaraka } from '../../src/smtp/haraka-process';
import { freePort } from './service';

// Haraka with DustMail's compiled plugin (dist/: `npm test` builds first), started the
// way the service starts it, on a free port with its own config folder.

const silent = pino({ level: 'silent' });

/** A running Haraka and what to remove when it stops. */
export interface Started {
  haraka: HarakaProcess;
  port: number;
  dir: string;
}

/** Starts Haraka on loopback with the given environment for the plugin. */
export async function startSmtp(env: NodeJS.ProcessEnv, maxMessageBytes: number): Promise<Started> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dustmail-haraka-'));
  const port = await freePort();
  await writeHarakaConfig({ dir, host: '127.0.0.1', port, maxMessageBytes, logLevel: 'warn' });
  try {
    const haraka = await startHaraka({
      configDir: dir,
      host: '127.0.0.1',
      port,
      env,
      logger: silent,
    });
    return { haraka, port, dir };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Stops Haraka and removes its config folder. */
export async function stopSmtp(started: Started | undefined): Promise<void> {
  if (!started) return;
  await started.haraka.stop();
  await rm(started.dir, { recursive: true, force: true });
}

/**
 * What to send after the previous reply: a command line (CRLF is added), bytes sent exactly
 * as given, or a step that runs first and returns the line.
 */
export type Command = string | Buffer | (() => Promise<string>);

/**
 * Sends each command after the previous reply and returns every reply, so a test can check
 * exact codes and texts. The greeting is the first reply.
 */
export async function dialog(port: number, commands: readonly Command[]): Promise<string[][]> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const replies: string[][] = [];
  let current: string[] = [];
  let buffered = '';
  const pending = [...commands];

  return new Promise((resolve, reject) => {
    socket.setTimeout(10_000, () => socket.destroy(new Error('SMTP dialog timed out')));
    socket.on('error', reject);
    socket.on('close', () => resolve(replies));
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        current.push(line);
        if (line[3] === '-') continue;
        replies.push(current);
        current = [];
        const next = pending.shift();
        if (next === undefined) socket.end();
        else if (typeof next === 'string') socket.write(`${next}\r\n`);
        else if (Buffer.isBuffer(next)) socket.write(next);
        else next().then((line) => socket.write(`${line}\r\n`), reject);
      }
    });
  });
}

/** The last line of each reply after the greeting. */
export async function replyLines(port: number, commands: readonly Command[]): Promise<string[]> {
  const replies = await dialog(port, commands);
  return replies.slice(1).map((reply) => reply[reply.length - 1] ?? '');
}
