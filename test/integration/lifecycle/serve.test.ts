import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { request } from '../../helpers/http';
import { sendMail } from '../../helpers/mail';
import { startService, type TestService } from '../../helpers/service';

const EXIT_WAIT_MS = 20_000;
const usesEmbeddedDatabase = !process.env['DATABASE_URL'];

let service: TestService | undefined;

afterEach(async () => {
  await service?.stop();
  service = undefined;
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number): Promise<boolean> {
  const deadline = Date.now() + EXIT_WAIT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

async function postgresPid(dataDir: string): Promise<number> {
  const text = await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8');
  return Number(text.split('\n')[0]);
}

/** Creates an inbox and delivers one message to it; returns the inbox id. */
async function inboxWithMail(running: TestService, key: string): Promise<string> {
  const created = await request(running.httpUrl, 'POST', '/api/v1/inbox', { key });
  const { id, email } = created.body.data as { id: string; email: string };
  const sent = await sendMail(running.smtpPort, { to: email, subject: 'kept', text: 'kept' });
  expect(sent.response).toMatch(/^250 /);
  return id;
}

async function emailCount(running: TestService, key: string, inboxId: string): Promise<number> {
  const read = await request(running.httpUrl, 'GET', `/api/v1/inbox/${inboxId}`, { key });
  expect(read.status).toBe(200);
  return read.body.meta.email_count as number;
}

// Each test starts (some twice) and stops a whole service: more than the default 30 s on a
// busy machine.
describe('dustmail serve', { timeout: 90_000 }, () => {
  it('stops Haraka and PostgreSQL on SIGTERM and keeps acknowledged mail', async () => {
    service = await startService();
    const key = await service.createAccount('premium');
    const inboxId = await inboxWithMail(service, key);
    const harakaPid = service.harakaPid();
    const pgPid = usesEmbeddedDatabase ? await postgresPid(service.dataDir) : undefined;

    const exit = await service.kill('SIGTERM');

    expect(exit).toEqual({ code: 0, signal: null });
    expect(isAlive(harakaPid)).toBe(false);
    if (pgPid !== undefined) expect(isAlive(pgPid)).toBe(false);
    service = await startService({}, service);
    expect(await emailCount(service, key, inboxId)).toBe(1);
  });

  it('stops on SIGINT as on SIGTERM', async () => {
    service = await startService();
    const harakaPid = service.harakaPid();

    const exit = await service.kill('SIGINT');

    expect(exit).toEqual({ code: 0, signal: null });
    expect(isAlive(harakaPid)).toBe(false);
  });

  it("stops in order on a terminal's Ctrl-C, which signals the whole process group", async () => {
    service = await startService();
    const harakaPid = service.harakaPid();
    const pgPid = usesEmbeddedDatabase ? await postgresPid(service.dataDir) : undefined;

    service.signalGroup('SIGINT');
    const exit = await service.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(isAlive(harakaPid)).toBe(false);
    if (pgPid !== undefined) expect(isAlive(pgPid)).toBe(false);
    // The database outlived HTTP and SMTP: the listener never saw its connection drop.
    expect(service.output()).not.toContain('email listener connection lost');
    const stopped = service
      .output()
      .split('\n')
      .filter((line) => line.includes('"msg":"part stopped"'))
      .map((line) => (JSON.parse(line) as { part: string }).part);
    const order = ['smtp', 'http', 'database'].map((part) => stopped.indexOf(part));
    if (!usesEmbeddedDatabase) order.pop();
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(service.output()).not.toContain('part did not stop cleanly');
  });

  it('recovers by itself after being killed outright', async () => {
    service = await startService();
    const key = await service.createAccount('premium');
    const inboxId = await inboxWithMail(service, key);
    const harakaPid = service.harakaPid();
    const pgPid = usesEmbeddedDatabase ? await postgresPid(service.dataDir) : undefined;

    await service.kill('SIGKILL');

    // Haraka notices its parent is gone and stops, freeing the SMTP port.
    expect(await waitForExit(harakaPid)).toBe(true);
    service = await startService({}, service);
    expect(await emailCount(service, key, inboxId)).toBe(1);
    if (pgPid !== undefined) {
      expect(isAlive(pgPid)).toBe(false);
      expect(service.output()).toContain('stopping stale embedded PostgreSQL');
    }
  });

  it('stops everything and exits 1 when Haraka dies on its own', async () => {
    service = await startService();
    const pgPid = usesEmbeddedDatabase ? await postgresPid(service.dataDir) : undefined;

    process.kill(service.harakaPid(), 'SIGKILL');
    const exit = await service.exited;

    expect(exit).toEqual({ code: 1, signal: null });
    expect(service.output()).toContain('a part of the service stopped unexpectedly');
    if (pgPid !== undefined) expect(isAlive(pgPid)).toBe(false);
  });

  it('refuses to start beside a running instance on the same ports, saying why', async () => {
    service = await startService();

    const second = startService({}, service);

    await expect(second).rejects.toThrow(/HTTP port 127\.0\.0\.1:\d+ is not available/);
    const read = await fetch(`${service.httpUrl}/api/v1/inbox`);
    expect(read.status).toBe(401);
  });

  it('purges the mail of expired inboxes in the background', async () => {
    service = await startService({
      DUSTMAIL_FREE_INBOX_TTL_SECONDS: '2',
      DUSTMAIL_SWEEP_INTERVAL_SECONDS: '1',
    });
    const key = await service.createAccount('free');
    await inboxWithMail(service, key);

    const deadline = Date.now() + 15_000;
    while (!service.output().includes('inbox mail purged') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const line = service
      .output()
      .split('\n')
      .find((l) => l.includes('inbox mail purged'));
    expect(line && JSON.parse(line)).toMatchObject({ component: 'sweeper', emailCount: 1 });
  });
});
