import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type Config, loadConfig } from '../../../src/config/env';
import type { Account } from '../../../src/db/entities/account';
import { Email } from '../../../src/db/entities/email';
import { RawMessage } from '../../../src/db/entities/raw-message';
import { migrate, openOrm, type Orm } from '../../../src/db/orm';
import { createAccount } from '../../../src/domain/account/api-keys';
import { createInbox } from '../../../src/domain/inbox/inbox-commands';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { replyLines, type Started, startSmtp, stopSmtp } from '../../helpers/haraka';

// The raw message is kept byte for byte as the client sent it in DATA (dot-unstuffed), with
// only DustMail's own Received header before it.

const DOMAIN = 'raw.test';
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

let database: TestDatabase;
let config: Config;
let orm: Orm;
let account: Account;
let smtp: Started;

beforeAll(async () => {
  database = await createTestDatabase(inject('databaseServerUrl'));
  const env = {
    PATH: process.env['PATH'],
    DUSTMAIL_DOMAINS: DOMAIN,
    DUSTMAIL_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
    DATABASE_URL: database.url,
  };
  config = loadConfig(env);
  orm = await openOrm(database.url);
  await migrate(orm);
  ({ account } = await createAccount(orm.em.fork(), 'raw@example.test', 'premium'));
  smtp = await startSmtp(env, MAX_MESSAGE_BYTES);
});

afterAll(async () => {
  await stopSmtp(smtp);
  await orm?.close();
  await database?.drop();
});

/** Dot-stuffs a message for the wire (RFC 5321 section 4.5.2) and ends DATA. */
function wireData(message: Buffer): Buffer {
  const lines: Buffer[] = [];
  let start = 0;
  for (let lf = message.indexOf(0x0a); lf >= 0; lf = message.indexOf(0x0a, start)) {
    const line = message.subarray(start, lf + 1);
    lines.push(line[0] === 0x2e ? Buffer.concat([Buffer.from('.'), line]) : line);
    start = lf + 1;
  }
  if (start < message.length) throw new Error('the message must end with CRLF');
  return Buffer.concat([...lines, Buffer.from('.\r\n')]);
}

/** Sends the message to a new inbox and returns what was stored for it. */
async function sendAndRead(message: Buffer): Promise<{ reply: string; raw: Buffer | null }> {
  const inbox = await createInbox(orm.em.fork(), config, account, {}, new Date());

  const replies = await replyLines(smtp.port, [
    'EHLO client.test',
    'MAIL FROM:<sender@example.test>',
    `RCPT TO:<${inbox.address}>`,
    'DATA',
    wireData(message),
    'QUIT',
  ]);

  const em = orm.em.fork();
  const email = await em.findOne(Email, { inbox: inbox.id });
  const stored = email && (await em.findOne(RawMessage, { email }, { populate: ['content'] }));
  return { reply: replies[4] ?? '', raw: stored?.content ?? null };
}

/** Splits a stored message into the server's trace header and the client's bytes. */
function splitTrace(raw: Buffer, sentLength: number): { trace: string; rest: Buffer } {
  const cut = raw.length - sentLength;
  return { trace: raw.subarray(0, cut).toString('latin1'), rest: raw.subarray(cut) };
}

/** A header field: `Received:` then continuation lines only, CRLF-terminated. */
const ONE_RECEIVED_HEADER = /^Received: [^\r\n]*(?:\r\n[ \t][^\r\n]*)*\r\n$/;

describe('DATA and the raw message', () => {
  it('stores the bytes as sent after one Received header of its own', async () => {
    const message = Buffer.concat([
      Buffer.from('Subject: caf', 'latin1'),
      Buffer.from([0xe9]), // a raw Latin-1 byte in a header, no charset anywhere
      Buffer.from(
        '\r\nX-Folded: first\r\n\tsecond  \r\nFrom: a@example.test\r\n\r\n' +
          '.a line that starts with a dot\r\n' +
          'bare\rcarriage return\r\n' +
          `${'L'.repeat(998)}\r\n` +
          'trailing spaces   \r\n',
        'latin1',
      ),
    ]);

    const { reply, raw } = await sendAndRead(message);

    expect(reply).toMatch(/^250 /);
    const { trace, rest } = splitTrace(raw!, message.length);
    expect(rest.equals(message)).toBe(true);
    expect(trace).toMatch(ONE_RECEIVED_HEADER);
  });

  it('adds no blank line to a message whose headers run to the end', async () => {
    const message = Buffer.from('Subject: no body\r\nX-Last: header\r\n');

    const { raw } = await sendAndRead(message);

    const { trace, rest } = splitTrace(raw!, message.length);
    expect(rest.equals(message)).toBe(true);
    expect(trace).toMatch(ONE_RECEIVED_HEADER);
  });

  it('keeps every header line of a message with more than a thousand', async () => {
    const headers = Array.from({ length: 1200 }, (_, i) => `X-Line-${i}: value ${i}\r\n`);
    const message = Buffer.from(`${headers.join('')}Subject: many\r\n\r\nbody\r\n`);

    const { raw } = await sendAndRead(message);

    expect(splitTrace(raw!, message.length).rest.equals(message)).toBe(true);
  });

  it('stores a message with more MIME parts than the parser reads, at once', async () => {
    const part = '--B\r\nContent-Type: text/plain\r\n\r\nx\r\n';
    const message = Buffer.from(
      `Subject: parts\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n${part.repeat(1100)}--B--\r\n`,
    );

    const { reply, raw } = await sendAndRead(message);

    expect(reply).toMatch(/^250 /);
    expect(splitTrace(raw!, message.length).rest.equals(message)).toBe(true);
  });

  it('stays up after a message whose parts overflow the parser while it is still being read', async () => {
    const part = '--B\r\nContent-Type: text/plain\r\n\r\nx\r\n';
    const message = Buffer.from(
      `Subject: parts\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n${part.repeat(60_000)}--B--\r\n`,
    );

    const first = await sendAndRead(message);
    const next = await sendAndRead(Buffer.from('Subject: after\r\n\r\nbody\r\n'));

    expect(first.reply).toMatch(/^250 /);
    expect(next.reply).toMatch(/^250 /);
  });

  it('answers 250 to a message whose body declares ninety thousand boundaries', async () => {
    const noise = Array.from({ length: 90_000 }, (_, i) => `--z\r\nboundary=b${i}\r\n`).join('');
    const message = Buffer.from(
      `Subject: boundaries\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n` +
        `--B\r\nContent-Type: text/plain\r\n\r\n${noise}--B--\r\n`,
    );

    const { reply, raw } = await sendAndRead(message);

    expect(reply).toMatch(/^250 /);
    expect(splitTrace(raw!, message.length).rest.equals(message)).toBe(true);
  });

  it('refuses DATA with a bare LF line ending with 451 and stores nothing', async () => {
    const inbox = await createInbox(orm.em.fork(), config, account, {}, new Date());

    const replies = await replyLines(smtp.port, [
      'EHLO client.test',
      'MAIL FROM:<sender@example.test>',
      `RCPT TO:<${inbox.address}>`,
      'DATA',
      Buffer.from('Subject: bare LF\n\nbody\r\n.\r\n'),
    ]);

    // Haraka's guard against SMTP smuggling: <LF>.<CRLF> must not end DATA for one server
    // and not for another.
    expect(replies[4]).toMatch(/^451 /);
    expect(await orm.em.fork().count(Email, { inbox: inbox.id })).toBe(0);
  });

  it('stores a message with no headers at all as sent', async () => {
    const message = Buffer.from('\r\njust a body, no header block\r\n');

    const { reply, raw } = await sendAndRead(message);

    expect(reply).toMatch(/^250 /);
    expect(splitTrace(raw!, message.length).rest.equals(message)).toBe(true);
  });
});
