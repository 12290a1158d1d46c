import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, loadConfig } from '../../../src/config/env';
import { Attachment } from '../../../src/db/entities/attachment';
import { Email } from '../../../src/db/entities/email';
import { Inbox } from '../../../src/db/entities/inbox';
import { RawMessage } from '../../../src/db/entities/raw-message';
import type { Orm } from '../../../src/db/orm';
import { createAccount } from '../../../src/domain/account/api-keys';
import { createInbox } from '../../../src/domain/inbox/inbox-commands';
import { sweepOnce } from '../../../src/domain/inbox/sweeper';
import { ingestMessage } from '../../../src/domain/mail/ingest-message';
import { type MigratedDatabase, openMigratedDatabase } from '../../helpers/database';

const MINUTE_MS = 60_000;
const NOW = new Date('2026-12-04T12:00:00.000Z');

let database: MigratedDatabase;
let orm: Orm;
let config: Config;
let accountSeq = 0;

beforeAll(async () => {
  database = await openMigratedDatabase();
  ({ orm } = database);
  config = loadConfig({ DATABASE_URL: database.url });
});

afterAll(async () => {
  await database?.close();
});

/** A free inbox created at `createdAt` (it expires 30 minutes later). */
async function freeInbox(createdAt: Date): Promise<Inbox> {
  accountSeq += 1;
  const em = orm.em.fork();
  const { account } = await createAccount(em, `sweep${accountSeq}@example.test`, 'free');
  return createInbox(em, config, account, {}, createdAt);
}

/** Delivers a message with one attachment, as the SMTP plugin does. */
async function deliver(inbox: Inbox, at: Date): Promise<void> {
  const raw = Buffer.from(
    [
      'From: a@example.com',
      `To: ${inbox.address}`,
      'Subject: sweep me',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'body',
      '--b',
      'Content-Type: application/octet-stream; name="x.bin"',
      'Content-Disposition: attachment; filename="x.bin"',
      '',
      'payload',
      '--b--',
      '',
    ].join('\r\n'),
  );
  const envelope = {
    mailFrom: 'a@example.com',
    rcptTo: [inbox.address],
    clientIp: '127.0.0.1',
    helo: 'test',
  };
  const { events } = await ingestMessage(orm, envelope, raw, at);
  expect(events).toHaveLength(1);
}

async function mailOf(
  inbox: Inbox,
): Promise<{ emails: number; raws: number; attachments: number }> {
  const em = orm.em.fork();
  const emails = await em.find(Email, { inbox: inbox.id });
  const ids = emails.map((email) => email.id);
  return {
    emails: emails.length,
    raws: await em.count(RawMessage, { email: { $in: ids } }),
    attachments: await em.count(Attachment, { email: { $in: ids } }),
  };
}

describe('sweepOnce', () => {
  it('purges the mail of expired and deleted inboxes and keeps their addresses', async () => {
    const live = await freeInbox(NOW);
    const expired = await freeInbox(new Date(NOW.getTime() - 60 * MINUTE_MS));
    const deleted = await freeInbox(NOW);
    await deliver(live, NOW);
    await deliver(expired, new Date(NOW.getTime() - 50 * MINUTE_MS));
    await deliver(deleted, NOW);
    await orm.em.fork().nativeUpdate(Inbox, { id: deleted.id }, { deletedAt: NOW });

    const purged = await sweepOnce(orm, NOW);

    expect(purged).toBe(2);
    expect(await mailOf(live)).toEqual({ emails: 1, raws: 1, attachments: 1 });
    expect(await mailOf(expired)).toEqual({ emails: 0, raws: 0, attachments: 0 });
    expect(await mailOf(deleted)).toEqual({ emails: 0, raws: 0, attachments: 0 });
    const kept = await orm.em.fork().count(Inbox, { id: { $in: [expired.id, deleted.id] } });
    expect(kept).toBe(2);
  });

  it('shares the work when several processes sweep at once', async () => {
    const expired = await freeInbox(new Date(NOW.getTime() - 60 * MINUTE_MS));
    for (let i = 0; i < 12; i += 1)
      await deliver(expired, new Date(NOW.getTime() - 40 * MINUTE_MS));

    const counts = await Promise.all([
      sweepOnce(orm, NOW),
      sweepOnce(orm, NOW),
      sweepOnce(orm, NOW),
    ]);

    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(12);
    expect((await mailOf(expired)).emails).toBe(0);
  });

  it('leaves mail alone until its inbox expires', async () => {
    const inbox = await freeInbox(NOW);
    await deliver(inbox, NOW);

    const purged = await sweepOnce(orm, new Date(NOW.getTime() + 29 * MINUTE_MS));

    expect(purged).toBe(0);
    expect((await mailOf(inbox)).emails).toBe(1);
  });
});
