import type { EntityManager } from '@mikro-orm/postgresql';

import type { Orm } from '../../db/orm';
import type { Logger } from '../../lib/logger';

/** Emails deleted per statement, so one sweep never holds long locks. */
export const SWEEP_BATCH_SIZE = 500;
/** Batches in one sweep at most; what is left waits for the next interval. */
const MAX_BATCHES_PER_SWEEP = 20;

/**
 * Deletes one batch of emails of expired or deleted inboxes (their raw messages and
 * attachments go with them by cascade) and returns how many. Rows another process is
 * deleting are skipped, so several servers can sweep at once. The inbox rows stay: they
 * keep their addresses from being handed out again.
 */
export async function purgeBatch(em: EntityManager, now: Date, batchSize: number): Promise<number> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `with doomed as (
       select e."id" from "email" e join "inbox" i on i."id" = e."inbox_id"
       where i."deleted_at" is not null or i."expires_at" <= ?
       limit ? for update of e skip locked
     )
     delete from "email" where "id" in (select "id" from doomed) returning "id"`,
    [now, batchSize],
  );
  return rows.length;
}

/** One sweep: batches until nothing is left or the per-sweep bound is reached. */
export async function sweepOnce(orm: Orm, now: Date): Promise<number> {
  let purged = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP; batch += 1) {
    const count = await purgeBatch(orm.em.fork(), now, SWEEP_BATCH_SIZE);
    purged += count;
    if (count < SWEEP_BATCH_SIZE) break;
  }
  return purged;
}

/** A running sweeper. */
export interface Sweeper {
  stop(): Promise<void>;
}

/** Options for {@link startSweeper}. */
export interface SweeperOptions {
  orm: Orm;
  log: Logger;
  intervalMs: number;
  now: () => Date;
}

/** Sweeps every `intervalMs`, one sweep at a time; failures are logged and retried later. */
export function startSweeper(options: SweeperOptions): Sweeper {
  const { orm, intervalMs, now } = options;
  const log = options.log.child({ component: 'sweeper' });
  let running: Promise<void> | undefined;

  const sweep = async (): Promise<void> => {
    const started = performance.now();
    try {
      const emailCount = await sweepOnce(orm, now());
      const durationMs = Math.round(performance.now() - started);
      if (emailCount > 0) log.info({ emailCount, durationMs }, 'inbox mail purged');
    } catch (err) {
      // The next interval tries again; nothing is lost by waiting.
      log.warn({ err }, 'sweep failed');
    }
  };
  const timer = setInterval(() => {
    running ??= sweep().finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();

  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
