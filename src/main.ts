import http from 'node:http';
import path from 'node:path';

import type { Config } from './config/env';
import { startEmbeddedDatabase } from './db/embedded';
import { type Orm, migrate, openOrm } from './db/orm';
import { withStartupLock } from './db/startup-lock';
import { ensureFirstAccount } from './domain/account/first-account';
import { createResolver } from './domain/custom-domain/dns-records';
import { startSweeper } from './domain/inbox/sweeper';
import type { ContextDeps } from './graphql/context';
import { createEmailPubSub, listenForEmail } from './graphql/pubsub';
import { attachGraphQLWs } from './graphql/ws';
import { createGraphQLServer } from './graphql/yoga';
import type { Logger } from './lib/logger';
import { assertPortFree } from './lib/ports';
import { createApp } from './rest/app';
import { writeHarakaConfig } from './smtp/haraka-config';
import { startHaraka } from './smtp/haraka-process';

/** Something started that must be stopped, newest first, on the way out. */
type Stopper = { name: string; stop: () => Promise<void> };

/** A running DustMail; `stop()` stops every part in reverse order of start. */
export interface RunningService {
  databaseUrl: string;
  httpPort: number | undefined;
  smtpPort: number | undefined;
  /** Settles when a part dies on its own (Haraka crashed): the service should stop. */
  failed: Promise<string>;
  stop(): Promise<void>;
}

/** Where the database is: the configured URL, or an embedded server in the data folder. */
export async function openDatabase(
  config: Config,
  log: Logger,
  stoppers: Stopper[],
): Promise<{ url: string; orm: Orm }> {
  let url = config.databaseUrl;
  if (!url) {
    const embedded = await startEmbeddedDatabase(config.dataDir, log.child({ component: 'db' }));
    stoppers.push({ name: 'database', stop: embedded.stop });
    url = embedded.url;
  }
  const orm = await openOrm(url);
  stoppers.push({ name: 'orm', stop: () => orm.close() });
  return { url, orm };
}

async function startHttp(
  config: Config,
  deps: ContextDeps,
  url: string,
  stoppers: Stopper[],
): Promise<number> {
  const { log } = deps;
  const listener = await listenForEmail(url, deps.pubsub, log.child({ component: 'graphql' }));
  stoppers.push({ name: 'email listener', stop: () => listener.close() });

  const yoga = createGraphQLServer(deps);
  const server = http.createServer(createApp(deps, yoga).callback());
  const ws = attachGraphQLWs(server, yoga, deps.orm, log, config.maxBodyBytes);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, resolve);
  });
  stoppers.push({
    name: 'http',
    stop: async () => {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const origin = `http://${config.http.host}:${port}`;
  log.info({ component: 'http', url: origin }, 'HTTP listening: REST /api/v1, GraphQL /graphql');
  return port;
}

async function startSmtp(
  config: Config,
  url: string,
  log: Logger,
  stoppers: Stopper[],
  onFailure: (part: string) => void,
) {
  const configDir = path.join(config.dataDir, 'haraka');
  await writeHarakaConfig({
    dir: configDir,
    host: config.smtp.host,
    port: config.smtp.port,
    maxMessageBytes: config.maxMessageBytes,
    logLevel: config.logLevel,
  });
  const haraka = await startHaraka({
    configDir,
    host: config.smtp.host,
    port: config.smtp.port,
    env: { ...process.env, DATABASE_URL: url, DUSTMAIL_PARENT_PID: String(process.pid) },
    logger: log.child({ component: 'smtp' }),
  });
  let stopping = false;
  stoppers.push({
    name: 'smtp',
    stop: () => {
      stopping = true;
      return haraka.stop();
    },
  });
  void haraka.exited.then(() => {
    if (!stopping) onFailure('smtp');
  });
  log.info(
    { component: 'smtp', host: config.smtp.host, port: config.smtp.port, childPid: haraka.pid },
    'SMTP listening',
  );
  return config.smtp.port;
}

async function stopAll(stoppers: Stopper[], log: Logger): Promise<void> {
  for (const stopper of [...stoppers].reverse()) {
    try {
      await stopper.stop();
      log.info({ part: stopper.name }, 'part stopped');
    } catch (err) {
      log.warn({ err, part: stopper.name }, 'part did not stop cleanly');
    }
  }
}

/**
 * Starts the service: database (embedded when no URL), migrations, the first account,
 * then HTTP and SMTP as the role asks.
 */
export async function startService(config: Config, log: Logger): Promise<RunningService> {
  // Both ports are checked before anything starts, so a second instance fails at once
  // with a clear message instead of after creating the database and the first account.
  if (config.role !== 'smtp') await assertPortFree('HTTP', config.http.host, config.http.port);
  if (config.role !== 'api') await assertPortFree('SMTP', config.smtp.host, config.smtp.port);

  const stoppers: Stopper[] = [];
  let reportFailure: (part: string) => void = () => undefined;
  const failed = new Promise<string>((resolve) => (reportFailure = resolve));
  try {
    const { url, orm } = await openDatabase(config, log, stoppers);
    await withStartupLock(url, async () => {
      const applied = await migrate(orm);
      log.info({ component: 'db', applied }, 'migrations applied');
      await ensureFirstAccount(orm, config, log);
    });

    const deps: ContextDeps = {
      orm,
      config,
      pubsub: createEmailPubSub(),
      log,
      resolver: createResolver(config.dnsServers),
      now: () => new Date(),
    };
    const httpPort =
      config.role === 'smtp' ? undefined : await startHttp(config, deps, url, stoppers);
    if (config.role !== 'smtp') {
      const sweeper = startSweeper({ orm, log, intervalMs: config.sweepIntervalMs, now: deps.now });
      stoppers.push({ name: 'sweeper', stop: () => sweeper.stop() });
    }
    const smtpPort =
      config.role === 'api'
        ? undefined
        : await startSmtp(config, url, log, stoppers, reportFailure);

    return { databaseUrl: url, httpPort, smtpPort, failed, stop: () => stopAll(stoppers, log) };
  } catch (err) {
    await stopAll(stoppers, log);
    throw err;
  }
}
