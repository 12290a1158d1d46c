import dgram from 'node:dgram';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { type Config, loadConfig } from '../../../src/config/env';
import type { Account } from '../../../src/db/entities/account';
import { Inbox } from '../../../src/db/entities/inbox';
import type { Orm } from '../../../src/db/orm';
import { createAccount } from '../../../src/domain/account/api-keys';
import {
  addDomain,
  listDomains,
  removeDomain,
  verifiedDomainNames,
  verifyDomain,
} from '../../../src/domain/custom-domain/custom-domains';
import { createResolver } from '../../../src/domain/custom-domain/dns-records';
import { type MigratedDatabase, openMigratedDatabase } from '../../helpers/database';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server';

const MX_HOST = 'mx.dustmail.test';
const NOW = new Date('2026-12-04T12:00:00.000Z');

let database: MigratedDatabase;
let orm: Orm;
let config: Config;
let dns: TestDnsServer;
let accountSeq = 0;

beforeAll(async () => {
  database = await openMigratedDatabase();
  ({ orm } = database);
  dns = await startDnsServer();
  config = loadConfig({
    DATABASE_URL: database.url,
    DUSTMAIL_MX_HOST: MX_HOST,
    DUSTMAIL_DNS_SERVERS: dns.address,
  });
});

afterAll(async () => {
  await dns?.close();
  await database?.close();
});

beforeEach(() => {
  dns.zone = {};
});

async function account(plan: 'free' | 'premium' = 'premium'): Promise<Account> {
  accountSeq += 1;
  const created = await createAccount(orm.em.fork(), `domains${accountSeq}@example.test`, plan);
  return created.account;
}

/** Publishes what addDomain asked for. */
function publish(name: string, txtValue: string): void {
  dns.zone = {
    txt: { [name]: [[txtValue]] },
    mx: { [name]: [{ exchange: MX_HOST, preference: 10 }] },
  };
}

function verify(owner: Account, name: string) {
  return verifyDomain(orm.em.fork(), config, createResolver(config.dnsServers), owner, name, NOW);
}

describe('addDomain', () => {
  it('returns the TXT record and MX host to publish, the same on a second call', async () => {
    const owner = await account();

    const first = await addDomain(orm.em.fork(), config, owner, 'Brand-One.Example');
    const again = await addDomain(orm.em.fork(), config, owner, 'brand-one.example');

    expect(first.txtRecord).toEqual({
      name: 'brand-one.example',
      value: expect.stringMatching(/^dustmail-verification=[0-9a-f]{32}$/),
    });
    expect(first.mxHost).toBe(MX_HOST);
    expect(again.txtRecord).toEqual(first.txtRecord);
  });

  it('refuses a free account, a shared domain and a bad name', async () => {
    const free = await account('free');
    const owner = await account();

    await expect(addDomain(orm.em.fork(), config, free, 'x.example')).rejects.toMatchObject({
      code: 'PREMIUM_REQUIRED',
    });
    await expect(addDomain(orm.em.fork(), config, owner, 'dustmail.net')).rejects.toMatchObject({
      code: 'DOMAIN_NOT_AVAILABLE',
    });
    await expect(addDomain(orm.em.fork(), config, owner, 'not a domain')).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });
});

describe('verifyDomain', () => {
  it('says what is missing and leaves the domain unverified', async () => {
    const owner = await account();
    await addDomain(orm.em.fork(), config, owner, 'pending.example');

    const result = await verify(owner, 'pending.example');

    expect(result.verified).toBe(false);
    expect(result.report).toMatchObject({ txt: 'missing', mx: 'missing' });
    expect(await verifiedDomainNames(orm.em.fork(), owner.id)).toEqual([]);
  });

  it('verifies a domain whose records are published', async () => {
    const owner = await account();
    const added = await addDomain(orm.em.fork(), config, owner, 'ready.example');
    publish('ready.example', added.txtRecord.value);

    const result = await verify(owner, 'ready.example');

    expect(result).toMatchObject({ verified: true, report: { problems: [] } });
    expect(await verifiedDomainNames(orm.em.fork(), owner.id)).toEqual(['ready.example']);
  });

  it('lets only one account verify a name', async () => {
    const first = await account();
    const second = await account();
    const firstAdded = await addDomain(orm.em.fork(), config, first, 'contested.example');
    const secondAdded = await addDomain(orm.em.fork(), config, second, 'contested.example');
    publish('contested.example', firstAdded.txtRecord.value);
    await verify(first, 'contested.example');
    publish('contested.example', secondAdded.txtRecord.value);

    await expect(verify(second, 'contested.example')).rejects.toMatchObject({
      code: 'DOMAIN_TAKEN',
    });
    await expect(
      addDomain(orm.em.fork(), config, await account(), 'contested.example'),
    ).rejects.toMatchObject({ code: 'DOMAIN_TAKEN' });
  });
});

describe('verifyDomain without a DNS answer', () => {
  it('throws DNS_UNAVAILABLE and leaves the domain unverified', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const resolver = createResolver([`127.0.0.1:${silent.address().port}`], 200);
    const owner = await account();
    const added = await addDomain(orm.em.fork(), config, owner, 'silent.example');
    publish('silent.example', added.txtRecord.value);

    const verifying = verifyDomain(orm.em.fork(), config, resolver, owner, 'silent.example', NOW);

    await expect(verifying).rejects.toMatchObject({ code: 'DNS_UNAVAILABLE' });
    expect(await verifiedDomainNames(orm.em.fork(), owner.id)).toEqual([]);
    silent.close();
  });
});

describe('removeDomain', () => {
  it('deletes the domain and its inboxes, keeping their addresses taken', async () => {
    const owner = await account();
    await addDomain(orm.em.fork(), config, owner, 'gone.example');
    const em = orm.em.fork();
    const inbox = new Inbox(
      owner,
      'hello',
      'gone.example',
      'hello@gone.example',
      new Date(NOW.getTime() + 3_600_000),
    );
    await em.persistAndFlush(inbox);

    await removeDomain(orm.em.fork(), owner, 'gone.example', NOW);

    expect(await listDomains(orm.em.fork(), owner)).toEqual([]);
    const kept = await orm.em.fork().findOneOrFail(Inbox, { address: 'hello@gone.example' });
    expect(kept.deletedAt).toEqual(NOW);
  });

  it('answers NOT_FOUND for a domain the account does not have', async () => {
    const owner = await account();

    await expect(removeDomain(orm.em.fork(), owner, 'never.example', NOW)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
