import net from 'node:net';

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type Config, loadConfig } from '../../../src/config/env';
import { Email } from '../../../src/db/entities/email';
import { Inbox } from '../../../src/db/entities/inbox';
import { RawMessage } from '../../../src/db/entities/raw-message';
import { migrate, openOrm, type Orm } from '../../../src/db/orm';
import { createAccount } from '../../../src/domain/account/api-keys';
import { createInbox } from '../../../src/domain/inbox/inbox-commands';
import { PLUGIN_STORE_CONCURRENCY, PLUGIN_TIMEOUT_SECONDS } from '../../../src/smtp/haraka-config';
import { startHaraka } from '../../../src/smtp/haraka-process';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { dialog, replyLines, type Started, startSmtp, stopSmtp } from '../../helpers/haraka';
import { refusedCode, sendMail } from '../../helpers/mail';
import { freePort } from '../../helpers/service';

// Runs the compiled plugin from dist/: `npm test` builds first.

const DOMAIN = 'dust.test';
const MAX_MESSAGE_BYTES = 4096;
const silent = pino({ level: 'silent' });

let database: TestDatabase;
let config: Config;
let orm: Orm;
let inboxAddress: string;
let smtp: Started;

function serviceEnv(databaseUrl: string | undefined): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    DUSTMAIL_DOMAINS: DOMAIN,
    DUSTMAIL_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
}

beforeAll(async () => {
  database = await createTestDatabase(inject('databaseServerUrl'));
  const env = serviceEnv(database.url);
  config = loadConfig(env);
  orm = await openOrm(database.url);
  await migrate(orm);

  const em = orm.em.fork();
  const { account } = await createAccount(em, 'owner@example.test', 'free');
  const inbox = await createInbox(em, config, account, {}, new Date());
  inboxAddress = inbox.address;

  smtp = await startSmtp(env, MAX_MESSAGE_BYTES);
});

afterAll(async () => {
  await stopSmtp(smtp);
  await orm?.close();
  await database?.drop();
});

/** Sends one message, ending in its "." line, to the test inbox; returns the reply to it. */
async function sendData(port: number, message: string): Promise<string> {
  const replies = await replyLines(port, [
    'EHLO client.test',
    'MAIL FROM:<sender@example.test>',
    `RCPT TO:<${inboxAddress}>`,
    'DATA',
    message,
    'QUIT',
  ]);
  return replies[4] ?? '';
}

/** How many sessions of the database wait on a lock now. */
async function lockWaits(databaseName: string): Promise<number> {
  const [row] = await orm.em.getConnection().execute<{ waiting: number }[]>(
    `select count(*)::int as waiting from pg_stat_activity
     where datname = ? and wait_event_type = 'Lock'`,
    [databaseName],
  );
  return row?.waiting ?? 0;
}

/** Waits until this many sessions of the database wait on a lock. */
async function waitForLockWaits(databaseName: string, sessions: number): Promise<void> {
  for (let tries = 0; tries < 100; tries += 1) {
    if ((await lockWaits(databaseName)) >= sessions) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`fewer than ${sessions} sessions waited on a lock within 10 s`);
}

describe('EHLO', () => {
  it('advertises SIZE as the configured maximum', async () => {
    const [ehlo] = await dialog(smtp.port, ['EHLO client.test', 'QUIT']).then((r) => r.slice(1));

    expect(ehlo).toContain(`250 SIZE ${MAX_MESSAGE_BYTES}`);
  });
});

describe('QUIT', () => {
  it('answers 221 with a plain closing line', async () => {
    const replies = await replyLines(smtp.port, ['EHLO client.test', 'QUIT']);

    expect(replies[1]).toMatch(/^221 .* closing connection$/);
  });
});

describe('RCPT TO', () => {
  it('refuses a foreign domain with 550 5.7.1', async () => {
    const replies = await replyLines(smtp.port, [
      'EHLO client.test',
      'MAIL FROM:<sender@example.test>',
      'RCPT TO:<someone@elsewhere.test>',
      'QUIT',
    ]);

    expect(replies[2]).toBe('550 5.7.1 Relaying denied');
  });

  it('refuses an unknown mailbox on a DustMail domain with 550 5.1.1', async () => {
    const replies = await replyLines(smtp.port, [
      'EHLO client.test',
      'MAIL FROM:<sender@example.test>',
      `RCPT TO:<nobody-here@${DOMAIN}>`,
      'QUIT',
    ]);

    expect(replies[2]).toBe('550 5.1.1 Mailbox unavailable');
  });

  it('accepts a live inbox whatever the case of the address', async () => {
    const replies = await replyLines(smtp.port, [
      'EHLO client.test',
      'MAIL FROM:<sender@example.test>',
      `RCPT TO:<${inboxAddress.toUpperCase()}>`,
      'QUIT',
    ]);

    expect(replies[2]).toMatch(/^250 /);
  });

  it('replies 451 4.3.0 when the database is unreachable', async () => {
    const unreachable = `postgres://root@127.0.0.1:${await freePort()}/none`;
    const broken = await startSmtp(serviceEnv(unreachable), MAX_MESSAGE_BYTES);

    try {
      const replies = await replyLines(broken.port, [
        'EHLO client.test',
        'MAIL FROM:<sender@example.test>',
        `RCPT TO:<${inboxAddress}>`,
        'QUIT',
      ]);

      expect(replies[2]).toMatch(/^451 4\.3\.0 /);
    } finally {
      await stopSmtp(broken);
    }
  });
});

describe('MAIL FROM', () => {
  // Haraka's core refuses a declared SIZE before any plugin hook runs, with 550
  // where RFC 1870 prefers 552. The refusal is permanent either way; DATA answers 552.
  it('refuses a declared SIZE over the maximum before DATA', async () => {
    const replies = await replyLines(smtp.port, [
      'EHLO client.test',
      `MAIL FROM:<sender@example.test> SIZE=${MAX_MESSAGE_BYTES + 1}`,
      'QUIT',
    ]);

    expect(replies[1]).toMatch(/^550 /);
  });

  it('accepts a declared SIZE within the maximum', async () => {
    const replies = await replyLines(smtp.port, [
      'EHLO client.test',
      `MAIL FROM:<sender@example.test> SIZE=${MAX_MESSAGE_BYTES}`,
      'QUIT',
    ]);

    expect(replies[1]).toMatch(/^250 /);
  });
});

describe('DATA', () => {
  it('stores the message before replying 250', async () => {
    const subject = `stored ${Date.now()}`;

    const info = await sendMail(smtp.port, { to: inboxAddress, subject, text: 'hello' });

    expect(info.response).toMatch(/^250 /);
    const stored = await orm.em.fork().find(Email, { subject });
    expect(stored).toHaveLength(1);
  });

  it('replies 550 5.1.1 when the inbox is deleted between RCPT and the end of DATA', async () => {
    const em = orm.em.fork();
    const { account } = await createAccount(em, `late-${Date.now()}@example.test`, 'free');
    const inbox = await createInbox(em, config, account, {}, new Date());
    const subject = `late ${Date.now()}`;
    const deleteInbox = async (): Promise<string> => {
      await orm.em.fork().nativeUpdate(Inbox, { id: inbox.id }, { deletedAt: new Date() });
      return 'DATA';
    };

    const replies = await replyLines(smtp.port, [
      'EHLO client.test',
      'MAIL FROM:<sender@example.test>',
      `RCPT TO:<${inbox.address}>`,
      deleteInbox,
      `Subject: ${subject}\r\n\r\nbody\r\n.`,
      'QUIT',
    ]);

    expect(replies[2]).toMatch(/^250 /);
    expect(replies[4]).toMatch(/^550 5\.1\.1 Mailbox unavailable/);
    expect(await orm.em.fork().count(Email, { subject })).toBe(0);
  });

  it('stores a message whose decoded text holds NUL characters', async () => {
    const subject = `nul ${Date.now()}`;
    const message = [
      `Subject: =?utf-8?Q?${subject.replaceAll(' ', '_')}=00?=`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'hello=00world',
      '.',
    ].join('\r\n');

    const reply = await sendData(smtp.port, message);

    expect(reply).toMatch(/^250 /);
    const stored = await orm.em.fork().findOneOrFail(Email, { subject });
    expect(stored.text.trim()).toBe('helloworld');
  });

  it('stores a message whose To name decodes to half a UTF-16 surrogate pair', async () => {
    const subject = `surrogate ${Date.now()}`;
    const message = [
      `Subject: ${subject}`,
      // UTF-16LE D800 0041: a high surrogate with no low one after it, then "A".
      `To: =?UTF-16LE?B?ANhBAA==?= <${inboxAddress}>`,
      '',
      'hello',
      '.',
    ].join('\r\n');

    const reply = await sendData(smtp.port, message);

    expect(reply).toMatch(/^250 /);
    const stored = await orm.em.fork().findOneOrFail(Email, { subject });
    expect(stored.to).toEqual([{ name: '\ufffdA', address: inboxAddress }]);
  });

  it('keeps DATA lines up to the RFC 5321 limit of 998 characters unwrapped', async () => {
    const subject = `long ${Date.now()}`;
    const longLine = 'L'.repeat(998);

    const replies = await replyLines(smtp.port, [
      'EHLO client.test',
      'MAIL FROM:<sender@example.test>',
      `RCPT TO:<${inboxAddress}>`,
      'DATA',
      `Subject: ${subject}\r\n\r\n${longLine}\r\n.`,
      'QUIT',
    ]);

    expect(replies[4]).toMatch(/^250 /);
    const em = orm.em.fork();
    const email = await em.findOneOrFail(Email, { subject });
    const raw = await em.findOneOrFail(RawMessage, { email }, { populate: ['content'] });
    expect(raw.content.toString('latin1')).toContain(`\r\n\r\n${longLine}\r\n`);
  });

  it('refuses a message over the maximum with 552 5.3.4', async () => {
    const text = 'x'.repeat(MAX_MESSAGE_BYTES);

    const refused = await refusedCode(sendMail(smtp.port, { to: inboxAddress, text }));

    expect(refused.code).toBe(552);
    expect(refused.text).toMatch(/^552 5\.3\.4 /);
  });

  it('replies 451 and stores nothing when storing fails', async () => {
    const subject = `failed ${Date.now()}`;
    const connection = orm.em.getConnection();
    await connection.execute('alter table raw_message rename to raw_message_away');

    try {
      const refused = await refusedCode(sendMail(smtp.port, { to: inboxAddress, subject }));

      expect(refused.text).toMatch(/^451 4\.3\.0 /);
      expect(await orm.em.fork().count(Email, { subject })).toBe(0);
    } finally {
      await connection.execute('alter table raw_message_away rename to raw_message');
    }
  });
});

describe('a slow database', () => {
  it(`holds at most ${PLUGIN_STORE_CONCURRENCY} stores at once, and stores every message after`, async () => {
    const subject = `queued ${Date.now()}`;
    const blocker = orm.em.fork().getConnection();
    const locked = await blocker.getKnex().transaction();
    await locked.raw('lock table email in share mode');

    const dialogs = Array.from({ length: 10 }, (_, i) =>
      sendData(smtp.port, `Subject: ${subject} ${i}\r\n\r\nbody\r\n.`),
    );
    await waitForLockWaits(database.name, PLUGIN_STORE_CONCURRENCY);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const waiting = await lockWaits(database.name);
    await locked.commit();
    const replies = await Promise.all(dialogs);

    expect(waiting).toBe(PLUGIN_STORE_CONCURRENCY);
    expect(replies.map((r) => r.slice(0, 3))).toEqual(Array(10).fill('250'));
  });

  it('gets 451 after the statement timeout, well before the plugin timeout', async () => {
    const subject = `slow ${Date.now()}`;
    const blocker = orm.em.fork().getConnection();
    const locked = await blocker.getKnex().transaction();
    await locked.raw('lock table email in access exclusive mode');
    const started = Date.now();

    try {
      const refused = await refusedCode(sendMail(smtp.port, { to: inboxAddress, subject }));

      expect(refused.text).toMatch(/^451 4\.3\.0 /);
      expect(Date.now() - started).toBeLessThan(PLUGIN_TIMEOUT_SECONDS * 1000);
    } finally {
      await locked.rollback();
    }
    expect(await orm.em.fork().count(Email, { subject })).toBe(0);
  });
});

describe('startHaraka', () => {
  it("rejects with Haraka's last output when the plugin cannot start", async () => {
    const failing = startSmtp(serviceEnv(undefined), MAX_MESSAGE_BYTES);

    await expect(failing).rejects.toThrow(/exited during start-up[\s\S]*DATABASE_URL/);
  });

  it('rejects when the port is already taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    try {
      const starting = startHaraka({
        configDir: smtp.dir,
        host: '127.0.0.1',
        port,
        env: serviceEnv(database.url),
        logger: silent,
      });

      await expect(starting).rejects.toThrow(/not available/);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('stores every message whose DATA had ended when the stop began, and answers it 250', async () => {
    const started = await startSmtp(serviceEnv(database.url), MAX_MESSAGE_BYTES);
    // With the email table locked, some stores wait on the lock and the rest wait their
    // turn, when SIGINT arrives.
    const count = 12;
    const blocker = orm.em.fork().getConnection();
    const locked = await blocker.getKnex().transaction();
    await locked.raw('lock table email in share mode');

    const subject = `stopping ${started.port}`;
    const dialogs = Array.from({ length: count }, (_, i) =>
      sendData(started.port, `Subject: ${subject} ${i}\r\n\r\nbody\r\n.`),
    );
    await waitForLockWaits(database.name, PLUGIN_STORE_CONCURRENCY);
    const stopping = stopSmtp(started);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await locked.commit();
    const replies = await Promise.all(dialogs);
    await stopping;

    expect(replies.map((r) => r.slice(0, 3))).toEqual(Array(count).fill('250'));
    expect(await orm.em.fork().count(Email, { subject: { $like: `${subject} %` } })).toBe(count);
  });

  it('stops Haraka with SIGINT and a clean exit', async () => {
    const started = await startSmtp(serviceEnv(database.url), MAX_MESSAGE_BYTES);

    await stopSmtp(started);

    expect(await started.haraka.exited).toEqual({ code: 0, signal: null });
  });
});
