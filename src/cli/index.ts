import { Command, InvalidArgumentError } from 'commander';

import { type Config, ConfigError, loadConfig, type Plan } from '../config/env';
import type { Orm } from '../db/orm';
import { AppError } from '../lib/errors';
import { createLogger } from '../lib/logger';
import { PortBusyError } from '../lib/ports';
import { type RunningService, startService } from '../main';
import { printedSchema } from '../schema';
import { accountCreate, accountSetPlan, CliError, keyCreate, keyList, keyRevoke } from './accounts';
import { withDatabase } from './database';
import { domainAdd, domainList, domainRemove, domainVerify } from './domains';

function parsePlan(value: string): Plan {
  if (value === 'free' || value === 'premium') return value;
  throw new InvalidArgumentError('plan must be free or premium');
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Runs the service until SIGINT or SIGTERM, then stops every part. The handlers are in
 * place before anything starts: a signal during start-up stops the service once it is up.
 */
async function serve(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);

  let service: RunningService | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  const stop = (): void => {
    if (!service) return;
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopSignal) return;
    stopSignal = signal;
    log.info({ signal }, 'stopping');
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  service = await startService(config, log);
  if (stopSignal) stop();

  const part = await service.failed;
  if (stopSignal) return;
  // A supervisor (systemd, a container runtime) restarts the whole service; half a
  // service that answers API calls but takes no mail would look healthy.
  log.fatal({ part }, 'a part of the service stopped unexpectedly; stopping');
  await service.stop().catch((err: unknown) => log.error({ err }, 'stop failed'));
  process.exit(1);
}

/** A command that needs the database, with quiet logs (the CLI prints JSON). */
function dbCommand<A extends unknown[]>(
  work: (db: { orm: Orm; applied: string[]; config: Config }, ...args: A) => Promise<unknown>,
) {
  return async (...args: A): Promise<void> => {
    // Warnings only unless LOG_LEVEL says otherwise: stdout carries the JSON result.
    const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
    const log = createLogger(config);
    const result = await withDatabase(config, log, (orm, applied) =>
      work({ orm, applied, config }, ...args),
    );
    if (result !== undefined) printJson(result);
  };
}

function program(): Command {
  const cli = new Command('dustmail').description('Self-hostable temporary email');

  cli.command('serve').description('run HTTP and SMTP (the default of npm start)').action(serve);
  cli
    .command('migrate')
    .description('apply pending database migrations')
    .action(dbCommand(async ({ applied }) => ({ applied })));
  cli
    .command('print-schema')
    .description('print the GraphQL schema in SDL')
    .action(() => {
      process.stdout.write(printedSchema());
    });

  const account = cli.command('account').description('manage accounts');
  account
    .command('create')
    .requiredOption('--email <email>', 'the account email')
    .option('--plan <plan>', 'free or premium', parsePlan, 'free')
    .action(
      dbCommand(({ orm }, opts: { email: string; plan: Plan }) =>
        accountCreate(orm, opts.email, opts.plan),
      ),
    );

  account
    .command('set-plan')
    .argument('<email>', 'the account email')
    .argument('<plan>', 'free or premium', parsePlan)
    .action(dbCommand(({ orm }, email: string, plan: Plan) => accountSetPlan(orm, email, plan)));

  const key = cli.command('key').description('manage API keys');
  key
    .command('create')
    .requiredOption('--email <email>', 'the account email')
    .option('--name <name>', 'a label for the key', 'cli')
    .action(
      dbCommand(({ orm }, opts: { email: string; name: string }) =>
        keyCreate(orm, opts.email, opts.name),
      ),
    );
  key
    .command('list')
    .requiredOption('--email <email>', 'the account email')
    .action(dbCommand(({ orm }, opts: { email: string }) => keyList(orm, opts.email)));
  key
    .command('revoke')
    .argument('<id>', 'the key id (from key list)')
    .action(dbCommand(({ orm }, id: string) => keyRevoke(orm, id)));

  const domain = cli.command('domain').description('manage custom domains (premium)');
  domain
    .command('add')
    .description('add a domain and print the DNS records to publish')
    .requiredOption('--email <email>', 'the account email')
    .argument('<name>', 'the domain, in Unicode or punycode')
    .action(
      dbCommand(({ orm, config }, name: string, opts: { email: string }) =>
        domainAdd(orm, config, opts.email, name),
      ),
    );
  domain
    .command('verify')
    .description('look up the records; exits 1 until both are right')
    .requiredOption('--email <email>', 'the account email')
    .argument('<name>', 'the domain')
    .action(
      dbCommand(({ orm, config }, name: string, opts: { email: string }) =>
        domainVerify(orm, config, opts.email, name),
      ),
    );
  domain
    .command('list')
    .requiredOption('--email <email>', 'the account email')
    .action(
      dbCommand(({ orm, config }, opts: { email: string }) => domainList(orm, config, opts.email)),
    );
  domain
    .command('remove')
    .description('remove a domain and delete its inboxes')
    .requiredOption('--email <email>', 'the account email')
    .argument('<name>', 'the domain')
    .action(
      dbCommand(({ orm }, name: string, opts: { email: string }) =>
        domainRemove(orm, opts.email, name),
      ),
    );
  return cli;
}

/** Entry point of the `dustmail` command. */
export function main(argv: string[]): void {
  program()
    .parseAsync(argv)
    .catch((err: unknown) => {
      const oneLine =
        err instanceof ConfigError ||
        err instanceof CliError ||
        err instanceof PortBusyError ||
        (err instanceof AppError && err.expose);
      if (oneLine) {
        process.stderr.write(`dustmail: ${err.message}\n`);
      } else {
        process.stderr.write(`dustmail: ${err instanceof Error ? err.stack : String(err)}\n`);
      }
      process.exit(1);
    });
}
