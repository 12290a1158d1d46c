import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, loadConfig } from '../../../src/config/env';
import type { Orm } from '../../../src/db/orm';
import { createAccount } from '../../../src/domain/account/api-keys';
import { countRequest, RateLimitedError } from '../../../src/domain/account/quota';
import { type MigratedDatabase, openMigratedDatabase } from '../../helpers/database';

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

async function freeAccountId(): Promise<string> {
  accountSeq += 1;
  const { account } = await createAccount(orm.em.fork(), `quota${accountSeq}@example.test`, 'free');
  return account.id;
}

function count(accountId: string, at: Date) {
  return countRequest(orm.em.fork(), accountId, config.plans.free, at);
}

describe('countRequest', () => {
  it('starts a new count at UTC midnight', async () => {
    const accountId = await freeAccountId();
    const lastMoment = new Date('2026-12-04T23:59:59.999Z');
    for (let i = 0; i < 100; i += 1) await count(accountId, lastMoment);

    await expect(count(accountId, lastMoment)).rejects.toBeInstanceOf(RateLimitedError);
    const nextDay = await count(accountId, new Date('2026-12-05T00:00:00.000Z'));

    expect(nextDay).toEqual({
      limit: 100,
      used: 1,
      resetAt: new Date('2026-12-06T00:00:00.000Z'),
    });
  });

  it('counts at most the limit when requests race', async () => {
    const accountId = await freeAccountId();
    const at = new Date('2026-12-04T12:00:00.000Z');

    const results = await Promise.allSettled(
      Array.from({ length: 150 }, () => count(accountId, at)),
    );

    const used = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.used] : []));
    expect(used.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(50);
    for (const r of refused) expect(r.reason).toBeInstanceOf(RateLimitedError);
  });

  it('never limits a premium account', async () => {
    accountSeq += 1;
    const em = orm.em.fork();
    const { account } = await createAccount(em, `quota${accountSeq}@example.test`, 'premium');
    const at = new Date('2026-12-04T12:00:00.000Z');

    let last;
    for (let i = 0; i < 120; i += 1)
      last = await countRequest(em, account.id, config.plans.premium, at);

    expect(last).toMatchObject({ limit: null, used: 120 });
  });
});
