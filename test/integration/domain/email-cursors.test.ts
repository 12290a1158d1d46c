import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, loadConfig } from '../../../src/config/env';
import type { Inbox } from '../../../src/db/entities/inbox';
import type { Orm } from '../../../src/db/orm';
import { createAccount } from '../../../src/domain/account/api-keys';
import { createInbox } from '../../../src/domain/inbox/inbox-commands';
import { ingestMessage } from '../../../src/domain/mail/ingest-message';
import { encodeCursor, listEmails } from '../../../src/domain/mail/message-queries';
import { ValidationError } from '../../../src/lib/errors';
import { type MigratedDatabase, openMigratedDatabase } from '../../helpers/database';

// A cursor is refused unless it is one encodeCursor could have written, so a forged one
// gets VALIDATION_ERROR rather than failing inside PostgreSQL.

const EMAIL_ID = '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b';

let database: MigratedDatabase;
let orm: Orm;
let config: Config;
let inbox: Inbox;

beforeAll(async () => {
  database = await openMigratedDatabase();
  ({ orm } = database);
  config = loadConfig({ DATABASE_URL: database.url });
  const em = orm.em.fork();
  const { account } = await createAccount(em, 'cursors@example.test', 'premium');
  inbox = await createInbox(em, config, account, {}, new Date());
  const envelope = {
    mailFrom: 'a@example.com',
    rcptTo: [inbox.address],
    clientIp: '::1',
    helo: 't',
  };
  for (const subject of ['first', 'second']) {
    await ingestMessage(orm, envelope, Buffer.from(`Subject: ${subject}\r\n\r\nx\r\n`));
  }
});

afterAll(async () => {
  await database?.close();
});

function cursorOf(text: string): string {
  return Buffer.from(text).toString('base64url');
}

describe('listEmails after a cursor', () => {
  it('continues after the email a cursor of its own names', async () => {
    const em = orm.em.fork();
    const firstPage = await listEmails(em, inbox.id, 1, null);
    const newest = firstPage.emails[0]!;

    const next = await listEmails(em, inbox.id, 1, encodeCursor(newest));

    expect(next.emails.map((e) => e.subject)).toEqual(['first']);
  });

  it.each([['0001-01-01T00:00:00.000Z'], ['9999-12-31T23:59:59.999Z']])(
    'takes a cursor at %s, inside the range PostgreSQL stores',
    async (time) => {
      const page = listEmails(orm.em.fork(), inbox.id, 10, cursorOf(`${time}|${EMAIL_ID}`));

      await expect(page).resolves.toHaveProperty('emails');
    },
  );

  it.each([
    ['an id of 36 letters', `2020-01-01T00:00:00.000Z|${'a'.repeat(36)}`],
    ['an id of 36 dashes', `2020-01-01T00:00:00.000Z|${'-'.repeat(36)}`],
    ['an upper-case id', `2020-01-01T00:00:00.000Z|${EMAIL_ID.toUpperCase()}`],
    ['a time without milliseconds', `2020-01-01T00:00:00Z|${EMAIL_ID}`],
    ['a time in another zone', `2020-01-01T00:00:00.000+01:00|${EMAIL_ID}`],
    ['a six-digit year past the end', `+275760-09-13T00:00:00.000Z|${EMAIL_ID}`],
    ['a six-digit year before the start', `-271821-04-20T00:00:00.000Z|${EMAIL_ID}`],
    ['year 0', `0000-01-01T00:00:00.000Z|${EMAIL_ID}`],
    ['a day that does not exist', `2021-02-30T00:00:00.000Z|${EMAIL_ID}`],
    ['a month that does not exist', `2021-13-01T00:00:00.000Z|${EMAIL_ID}`],
    ['a third part', `2020-01-01T00:00:00.000Z|${EMAIL_ID}|x`],
    ['no id', '2020-01-01T00:00:00.000Z'],
  ])('refuses a cursor with %s', async (_what, text) => {
    const page = listEmails(orm.em.fork(), inbox.id, 10, cursorOf(text));

    await expect(page).rejects.toThrow(new ValidationError('after is not a valid cursor'));
  });
});
