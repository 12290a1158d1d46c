import { randomUUID } from 'node:crypto';

import type { EntityManager } from '@mikro-orm/postgresql';

import { copyRawMessages } from '../../db/copy-raw-messages';
import { Attachment } from '../../db/entities/attachment';
import { Email } from '../../db/entities/email';
import type { Orm } from '../../db/orm';
import { toStorableText } from '../../lib/storable-text';
import { findReceivingInboxes } from './check-recipient';
import type { Envelope } from './envelope';
import { EMAIL_RECEIVED_CHANNEL, type EmailReceivedEvent } from './events';
import { type ParsedMessage, parseMessage } from './parse-message';

/** What was stored: one email per receiving inbox. */
export interface IngestResult {
  events: EmailReceivedEvent[];
}

function emailRow(
  id: string,
  inboxId: string,
  envelope: Envelope,
  parsed: ParsedMessage,
  size: number,
  receivedAt: Date,
) {
  return {
    id,
    createdAt: receivedAt,
    inbox: inboxId,
    mailFrom: envelope.mailFrom,
    rcptTo: envelope.rcptTo,
    clientIp: envelope.clientIp,
    helo: envelope.helo,
    messageId: parsed.messageId,
    // The header's sender, or the envelope sender when the header has none (api-v1).
    fromAddress: parsed.from?.address ?? envelope.mailFrom,
    fromName: parsed.from?.name || null,
    to: parsed.to,
    cc: parsed.cc,
    replyTo: parsed.replyTo,
    subject: parsed.subject,
    date: parsed.date,
    text: parsed.text,
    html: parsed.html,
    headers: parsed.headers,
    size,
    receivedAt,
    parseProblem: parsed.problem,
  };
}

async function storeForInboxes(
  em: EntityManager,
  inboxes: { id: string; accountId: string }[],
  envelope: Envelope,
  parsed: ParsedMessage,
  raw: Buffer,
  receivedAt: Date,
): Promise<EmailReceivedEvent[]> {
  const events = inboxes.map((inbox) => ({
    emailId: randomUUID(),
    inboxId: inbox.id,
    accountId: inbox.accountId,
  }));

  await em.insertMany(
    Email,
    events.map((e) => emailRow(e.emailId, e.inboxId, envelope, parsed, raw.length, receivedAt)),
  );
  await copyRawMessages(
    em,
    events.map((e) => e.emailId),
    raw,
  );
  const attachments = events.flatMap((e) =>
    parsed.attachments.map((a, position) => ({
      ...a,
      position,
      id: randomUUID(),
      createdAt: receivedAt,
      email: e.emailId,
    })),
  );
  if (attachments.length > 0) await em.insertMany(Attachment, attachments);

  // NOTIFY is delivered only when the transaction commits, so listeners never see
  // an email they cannot read yet.
  for (const event of events) {
    await em.execute('select pg_notify(?, ?)', [EMAIL_RECEIVED_CHANNEL, JSON.stringify(event)]);
  }
  return events;
}

/**
 * Raised when a message is ready to commit only after the caller's deadline. Internal: the
 * SMTP plugin answers it 451 like any storage failure, so it is no AppError.
 */
export class CommitDeadlineError extends Error {
  override readonly name = 'CommitDeadlineError';

  constructor(readonly commitBy: Date) {
    super(`storing was ready to commit only after ${commitBy.toISOString()}; rolled back`);
  }
}

/**
 * Parses a message and stores it, its raw bytes and its attachments for every active
 * recipient inbox in one transaction. Resolves only after the commit. With `commitBy`, a
 * store not ready to commit by then is rolled back instead: the SMTP server may already
 * have answered the sender 4xx, and the sender's retry would store the message twice.
 */
export async function ingestMessage(
  orm: Orm,
  given: Envelope,
  raw: Buffer,
  now: Date = new Date(),
  commitBy?: Date,
): Promise<IngestResult> {
  const parsed = await parseMessage(raw);
  const envelope = toStorableText(given);
  const em = orm.em.fork();

  const events = await em.transactional(async (txn) => {
    const inboxes = await findReceivingInboxes(txn, envelope.rcptTo, now);
    if (inboxes.length === 0) return [];
    const stored = await storeForInboxes(txn, inboxes, envelope, parsed, raw, now);
    // The last step before COMMIT: checked any earlier, slow storing could still run late.
    if (commitBy && Date.now() > commitBy.getTime()) throw new CommitDeadlineError(commitBy);
    return stored;
  });
  return { events };
}
