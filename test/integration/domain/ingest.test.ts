import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, loadConfig } from '../../../src/config/env';
import { Email } from '../../../src/db/entities/email';
import type { Inbox } from '../../../src/db/entities/inbox';
import type { Orm } from '../../../src/db/orm';
import { createAccount } from '../../../src/domain/account/api-keys';
import { createInbox } from '../../../src/domain/inbox/inbox-commands';
import { CommitDeadlineError, ingestMessage } from '../../../src/domain/mail/ingest-message';
import { type MigratedDatabase, openMigratedDatabase } from '../../helpers/database';

let database: MigratedDatabase;
let orm: Orm;
let config: Config;
let inbox: Inbox;

beforeAll(async () => {
  database = await openMigratedDatabase();
  ({ orm } = database);
  config = loadConfig({ DATABASE_URL: database.url });
  const em = orm.em.fork();
  const { account } = await createAccount(em, 'ingest@example.test', 'premium');
  inbox = await createInbox(em, config, account, {}, new Date());
});

afterAll(async () => {
  await database?.close();
});

function envelope() {
  return { mailFrom: 'a@example.com', rcptTo: [inbox.address], clientIp: '127.0.0.1', helo: 't' };
}

describe('ingestMessage with a commit deadline', () => {
  it('stores the message when it is ready before the deadline', async () => {
    const commitBy = new Date(Date.now() + 60_000);

    const { events } = await ingestMessage(
      orm,
      envelope(),
      Buffer.from('Subject: in time\r\n\r\nx\r\n'),
      new Date(),
      commitBy,
    );

    expect(events).toHaveLength(1);
    expect(await orm.em.fork().count(Email, { subject: 'in time' })).toBe(1);
  });

  it('rolls back and throws when it is ready only after the deadline', async () => {
    const commitBy = new Date(Date.now() - 1);

    const storing = ingestMessage(
      orm,
      envelope(),
      Buffer.from('Subject: too late\r\n\r\nx\r\n'),
      new Date(),
      commitBy,
    );

    await expect(storing).rejects.toBeInstanceOf(CommitDeadlineError);
    expect(await orm.em.fork().count(Email, { subject: 'too late' })).toBe(0);
  });
});
