import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, loadConfig } from '../../../src/config/env';
import type { Account } from '../../../src/db/entities/account';
import type { Inbox } from '../../../src/db/entities/inbox';
import type { Orm } from '../../../src/db/orm';
import { createAccount } from '../../../src/domain/account/api-keys';
import { createInbox } from '../../../src/domain/inbox/inbox-commands';
import { findActiveInbox, listActiveInboxes } from '../../../src/domain/inbox/inbox-queries';
import { checkRecipient } from '../../../src/domain/mail/check-recipient';
import { ingestMessage } from '../../../src/domain/mail/ingest-message';
import { type MigratedDatabase, openMigratedDatabase } from '../../helpers/database';

const MINUTE_MS = 60_000;
const CREATED = new Date('2026-12-04T12:00:00.000Z');
const BEFORE_EXPIRY = new Date(CREATED.getTime() + 29 * MINUTE_MS);
const AT_EXPIRY = new Date(CREATED.getTime() + 30 * MINUTE_MS);

let database: MigratedDatabase;
let orm: Orm;
let config: Config;
let account: Account;
let inbox: Inbox;

beforeAll(async () => {
  database = await openMigratedDatabase();
  ({ orm } = database);
  config = loadConfig({ DATABASE_URL: database.url });
  const em = orm.em.fork();
  ({ account } = await createAccount(em, 'expiry@example.test', 'free'));
  inbox = await createInbox(em, config, account, {}, CREATED);
});

afterAll(async () => {
  await database?.close();
});

describe('a free inbox', () => {
  it('expires 30 minutes after it was made', () => {
    expect(inbox.expiresAt).toEqual(AT_EXPIRY);
  });

  it('takes mail and shows in lists until then', async () => {
    const em = orm.em.fork();

    expect(await checkRecipient(em, config, inbox.address, BEFORE_EXPIRY)).toBe('accept');
    expect((await findActiveInbox(em, account, inbox.id, BEFORE_EXPIRY)).id).toBe(inbox.id);
    const { inboxes } = await listActiveInboxes(em, account, BEFORE_EXPIRY);
    expect(inboxes.map((i) => i.id)).toEqual([inbox.id]);
  });

  it('is refused at RCPT once expired', async () => {
    const verdict = await checkRecipient(orm.em.fork(), config, inbox.address, AT_EXPIRY);

    expect(verdict).toBe('unknown-mailbox');
  });

  it('is not found and not listed once expired, like a deleted inbox', async () => {
    const em = orm.em.fork();

    await expect(findActiveInbox(em, account, inbox.id, AT_EXPIRY)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await listActiveInboxes(em, account, AT_EXPIRY)).toEqual({ inboxes: [], total: 0 });
  });

  it('stores nothing that arrives after it expired', async () => {
    const envelope = {
      mailFrom: 'a@example.com',
      rcptTo: [inbox.address],
      clientIp: '127.0.0.1',
      helo: 'test',
    };

    const { events } = await ingestMessage(
      orm,
      envelope,
      Buffer.from('Subject: late\r\n\r\nx'),
      AT_EXPIRY,
    );

    expect(events).toEqual([]);
  });
});
