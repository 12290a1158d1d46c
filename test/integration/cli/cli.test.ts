import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { dustmail, dustmailJson as json } from '../../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

const KEY = /^dm_live_[0-9A-Za-z]{32}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('with DATABASE_URL', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseServerUrl'));
    env = { DATABASE_URL: database.url };
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('migrate applies the migrations once', async () => {
    const first = await json<{ applied: string[] }>(env, 'migrate');
    const second = await json<{ applied: string[] }>(env, 'migrate');

    expect(first.applied.length).toBeGreaterThan(0);
    expect(second.applied).toEqual([]);
  });

  it('migrate runs safely from two processes at once on a new database', async () => {
    const fresh = await createTestDatabase(inject('databaseServerUrl'));
    try {
      const freshEnv = { DATABASE_URL: fresh.url };

      const runs = await Promise.all([json(freshEnv, 'migrate'), json(freshEnv, 'migrate')]);

      const counts = runs.map((run: { applied: string[] }) => run.applied.length).sort();
      expect(counts[0]).toBe(0);
      expect(counts[1]).toBeGreaterThan(0);
    } finally {
      await fresh.drop();
    }
  });

  it('account create prints the account and a key once', async () => {
    const created = await json(
      env,
      'account',
      'create',
      '--email',
      'New@Example.test',
      '--plan',
      'premium',
    );

    expect(created).toEqual({
      account: {
        id: expect.any(String),
        email: 'new@example.test',
        plan: 'premium',
        created_at: expect.stringMatching(ISO),
      },
      api_key: {
        id: expect.any(String),
        name: expect.any(String),
        prefix: expect.stringMatching(/^dm_live_/),
        key: expect.stringMatching(KEY),
        created_at: expect.stringMatching(ISO),
      },
    });
  });

  it('account create defaults to the free plan', async () => {
    const created = await json(env, 'account', 'create', '--email', 'plain@example.test');

    expect(created.account.plan).toBe('free');
  });

  it('refuses a second account with the same email, in any case', async () => {
    await json(env, 'account', 'create', '--email', 'twice@example.test');

    const again = await dustmail(env, 'account', 'create', '--email', 'TWICE@example.test');

    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists already/);
  });

  it('account set-plan changes the plan and says which account', async () => {
    const created = await json(env, 'account', 'create', '--email', 'moves@example.test');

    const changed = await json(env, 'account', 'set-plan', 'moves@example.test', 'premium');
    const back = await json(env, 'account', 'set-plan', 'MOVES@example.test', 'free');

    expect(changed).toEqual({
      account: { id: created.account.id, email: 'moves@example.test', plan: 'premium' },
    });
    expect(back.account.plan).toBe('free');
  });

  it('account set-plan refuses an unknown plan or account', async () => {
    const badPlan = await dustmail(env, 'account', 'set-plan', 'moves@example.test', 'gold');
    const noAccount = await dustmail(env, 'account', 'set-plan', 'nobody@example.test', 'free');

    expect(badPlan.stderr).toMatch(/plan must be free or premium/);
    expect(noAccount).toMatchObject({ code: 1, stderr: expect.stringMatching(/No account/) });
  });

  it('refuses an unknown plan', async () => {
    const run = await dustmail(
      env,
      'account',
      'create',
      '--email',
      'p@example.test',
      '--plan',
      'gold',
    );

    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/plan must be free or premium/);
  });

  it('creates, lists and revokes keys without ever listing a secret', async () => {
    const created = await json(env, 'account', 'create', '--email', 'keys@example.test');
    const second = await json(env, 'key', 'create', '--email', 'keys@example.test', '--name', 'ci');

    expect(second.key).toMatch(KEY);
    expect(second.key).not.toBe(created.api_key.key);

    const revoked = await json(env, 'key', 'revoke', second.id);
    expect(revoked).toEqual({ id: second.id, revoked_at: expect.stringMatching(ISO) });

    const listed = await json<Record<string, unknown>[]>(
      env,
      'key',
      'list',
      '--email',
      'keys@example.test',
    );
    expect(listed.map((k) => [k['id'], k['revoked_at'] === null])).toEqual([
      [created.api_key.id, true],
      [second.id, false],
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.api_key.key);
    expect(JSON.stringify(listed)).not.toContain(second.key);
  });

  it('says which key or account is missing', async () => {
    const noKey = await dustmail(env, 'key', 'revoke', '00000000-0000-0000-0000-000000000000');
    const noAccount = await dustmail(env, 'key', 'list', '--email', 'nobody@example.test');

    expect(noKey).toMatchObject({ code: 1, stderr: expect.stringMatching(/No key with id/) });
    expect(noAccount).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/No account with email nobody@example.test/),
    });
  });

  it('rejects bad configuration with every bad setting named', async () => {
    const run = await dustmail({ ...env, HTTP_PORT: 'eighty', SMTP_PORT: '-1' }, 'migrate');

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HTTP_PORT');
    expect(run.stderr).toContain('SMTP_PORT');
  });

  it('quotes a bad list value and hides a password', async () => {
    const run = await dustmail(
      { DUSTMAIL_DOMAINS: 'not a domain', DATABASE_URL: 'mysql://user:s3cret@127.0.0.1/db' },
      'migrate',
    );

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('"not a domain"');
    expect(run.stderr).toContain('user:***@');
    expect(run.stderr).not.toContain('s3cret');
  });
});

describe('with a data folder and no server running', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dustmail-cli-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts the embedded database for the command and keeps what it wrote', async () => {
    const env = { DUSTMAIL_DATA_DIR: dataDir };
    const created = await json(env, 'account', 'create', '--email', 'folder@example.test');

    const listed = await json<{ id: string }[]>(
      env,
      'key',
      'list',
      '--email',
      'folder@example.test',
    );

    expect(listed.map((k) => k.id)).toEqual([created.api_key.id]);
  });
});
