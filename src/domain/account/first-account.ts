import type { Config } from '../../config/env';
import { Account } from '../../db/entities/account';
import type { Orm } from '../../db/orm';
import type { Logger } from '../../lib/logger';
import { createAccount } from './api-keys';

/**
 * On a database with no account, creates a local premium account and prints its key once,
 * so a first run needs no other step. The key goes to stdout, never into the log.
 */
export async function ensureFirstAccount(orm: Orm, config: Config, log: Logger): Promise<void> {
  const em = orm.em.fork();
  if ((await em.count(Account, {})) > 0) return;

  const { account, key } = await createAccount(em, `local@${config.primaryDomain}`, 'premium');
  log.info({ accountId: account.id }, 'first account created');
  process.stdout.write(
    `\nDustMail created a local premium account (${account.email}).\n` +
      `Its API key, shown only this once:\n\n    ${key.secret}\n\n`,
  );
}
