import { pipeline } from 'node:stream/promises';

import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Written per call: a large message goes in views of itself, never in a copy. */
const SLICE_BYTES = 256 * 1024;
/** PostgreSQL's binary COPY signature, then flags and header-extension length (both 0). */
const COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const COPY_TRAILER = Buffer.from([0xff, 0xff]);
const UUID_BYTES = 16;

function int16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeInt16BE(value);
  return out;
}

function int32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32BE(value);
  return out;
}

/**
 * The rows of raw_message in PostgreSQL's binary COPY format: per row a field count, then
 * each field's length and bytes. The content is passed as views of the message, so neither
 * a hex text form nor a bound parameter ever copies it whole.
 */
function* copyRows(emailIds: readonly string[], content: Buffer): Generator<Buffer> {
  yield COPY_HEADER;
  for (const emailId of emailIds) {
    const uuid = Buffer.from(emailId.replaceAll('-', ''), 'hex');
    // A short id would shift every byte after it and corrupt the whole COPY.
    if (uuid.length !== UUID_BYTES) throw new Error('raw message row with an invalid email id');
    yield Buffer.concat([int16(2), int32(UUID_BYTES), uuid]);
    yield int32(content.length);
    for (let at = 0; at < content.length; at += SLICE_BYTES) {
      yield content.subarray(at, Math.min(at + SLICE_BYTES, content.length));
    }
  }
  yield COPY_TRAILER;
}

/** Stores the same raw message for several emails, inside the EntityManager's transaction. */
export async function copyRawMessages(
  em: EntityManager,
  emailIds: readonly string[],
  content: Buffer,
): Promise<void> {
  const txn = em.getTransactionContext<Knex.Transaction>();
  if (!txn) throw new Error('copyRawMessages needs a transaction');
  // A knex transaction's client hands out the transaction's own connection.
  const client = (await txn.client.acquireConnection()) as PoolClient;
  const copy = client.query(
    copyFrom('copy "raw_message" ("email_id", "content") from stdin (format binary)'),
  );
  await pipeline(copyRows(emailIds, content), copy);
}
