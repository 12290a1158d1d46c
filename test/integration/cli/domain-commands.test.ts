import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { dustmail as runCli, dustmailJson } from '../../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server';

const MX_HOST = 'mx.dustmail.test';

let database: TestDatabase;
let dns: TestDnsServer;
let env: NodeJS.ProcessEnv;

const dustmail = (...args: string[]) => runCli(env, ...args);
const json = <T = any>(...args: string[]) => dustmailJson<T>(env, ...args);

beforeAll(async () => {
  database = await createTestDatabase(inject('databaseServerUrl'));
  dns = await startDnsServer();
  env = {
    DATABASE_URL: database.url,
    DUSTMAIL_MX_HOST: MX_HOST,
    DUSTMAIL_DNS_SERVERS: dns.address,
  };
  await json('account', 'create', '--email', 'owner@example.test', '--plan', 'premium');
  await json('account', 'create', '--email', 'free@example.test');
});

afterAll(async () => {
  await database?.drop();
  await dns?.close();
});

describe('dustmail domain', () => {
  it('add prints the records to publish', async () => {
    const added = await json('domain', 'add', '--email', 'owner@example.test', 'Shop.Example');

    expect(added).toMatchObject({
      name: 'shop.example',
      verified: false,
      records: [
        {
          type: 'TXT',
          name: 'shop.example',
          value: expect.stringMatching(/^dustmail-verification=/),
        },
        { type: 'MX', name: 'shop.example', value: MX_HOST },
      ],
    });
  });

  it('verify prints the problems and exits 1 until the records are right', async () => {
    await json('domain', 'add', '--email', 'owner@example.test', 'pending.example');

    const run = await dustmail(
      'domain',
      'verify',
      '--email',
      'owner@example.test',
      'pending.example',
    );

    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      verified: false,
      txt: 'MISSING',
      mx: 'MISSING',
      problems: [expect.stringContaining('No TXT record'), expect.stringContaining(MX_HOST)],
    });
  });

  it('verify marks the domain verified once both records are published', async () => {
    const added = await json('domain', 'add', '--email', 'owner@example.test', 'ready.example');
    dns.zone.txt = { ...dns.zone.txt, 'ready.example': [[added.records[0].value]] };
    dns.zone.mx = { ...dns.zone.mx, 'ready.example': [{ exchange: MX_HOST, preference: 5 }] };

    const verified = await json(
      'domain',
      'verify',
      '--email',
      'owner@example.test',
      'ready.example',
    );
    const listed = await json<{ name: string; verified: boolean }[]>(
      'domain',
      'list',
      '--email',
      'owner@example.test',
    );

    expect(verified).toMatchObject({ verified: true, problems: [] });
    expect(listed.find((d) => d.name === 'ready.example')?.verified).toBe(true);
  });

  it('remove deletes the domain', async () => {
    await json('domain', 'add', '--email', 'owner@example.test', 'brief.example');

    const removed = await json(
      'domain',
      'remove',
      '--email',
      'owner@example.test',
      'brief.example',
    );
    const listed = await json<{ name: string }[]>(
      'domain',
      'list',
      '--email',
      'owner@example.test',
    );

    expect(removed).toEqual({ removed: 'brief.example' });
    expect(listed.map((d) => d.name)).not.toContain('brief.example');
  });

  it('refuses a free account in one line', async () => {
    const run = await dustmail('domain', 'add', '--email', 'free@example.test', 'nope.example');

    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toBe('dustmail: Only premium accounts may add domains\n');
  });

  it('refuses a domain the account does not have in one line', async () => {
    const run = await dustmail('domain', 'remove', '--email', 'owner@example.test', 'x.example');

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('dustmail: Domain not found\n');
  });
});
