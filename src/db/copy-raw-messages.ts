import { pipeline } from 'node:stream/promises';

import type { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Bytes hex-encoded per write: small next to a large message, large next to a row. */
const SLICE_BYTES = 256 * 1024;

/**
 * COPY text rows of raw_message, the content streamed in slices. A bound parameter would
 * make the driver copy the whole message into one more buffer first.
 */
function* copyRows(emailIds: readonly string[], content: Buffer): Generator<string> {
  for (const emailId of emailIds) {
    // bytea in hex form; the backslash is doubled because COPY text format escapes it.
    yield `${emailId}\t\\\\x`;
    for (let at = 0; at < content.length; at += SLICE_BYTES) {
      yield content.toString('hex', at, Math.min(at + SLICE_BYTES, content.length));
    }
    yield '\n';
  }
}

/** Stores the same raw message for several emails, inside the EntityManager's transaction. */
export async function copyRawMessages(
  em: EntityManager,
  emailIds: readonly string[],
  content: Buffer,
): Promise<void> {
  const trx = em.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new Error('copyRawMessages needs a transaction');
  // A knex transaction's client hands out the transaction's own connection.
  const client = (await trx.client.acquireConnection()) as PoolClient;
  const copy = client.query(copyFrom('copy "raw_message" ("email_id", "content") from stdin'));
  await pipeline(copyRows(emailIds, content), copy);
}
