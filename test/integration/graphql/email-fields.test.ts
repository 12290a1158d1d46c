import { createHash } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { graphql } from '../../helpers/http';
import { sendMail } from '../../helpers/mail';
import { startService, type TestService } from '../../helpers/service';

// The Email fields beyond the documented REST ones, and the queries the REST email routes run.

const MISSING_ID = '00000000-0000-4000-8000-000000000000';
const NOTES = Buffer.from('meeting notes\n');

let service: TestService;

function gql<T = any>(key: string, query: string, variables: Record<string, unknown> = {}) {
  return graphql<T>(service.httpUrl, key, query, variables);
}

function errorCodes(body: { errors?: { extensions?: { code?: string } }[] }) {
  return (body.errors ?? []).map((e) => e.extensions?.code);
}

async function createInbox(key: string): Promise<{ id: string; email: string }> {
  const created = await gql(key, 'mutation { createInbox { inbox { id email } } }');
  expect(created.body.errors).toBeUndefined();
  return created.body.data.createInbox.inbox;
}

/** The newest email of an inbox, read from the database so no request is counted. */
async function newestEmailId(inboxId: string): Promise<string> {
  const rows = await service.sql<{ id: string }>(
    'select "id" from "email" where "inbox_id" = $1 order by "received_at" desc limit 1',
    [inboxId],
  );
  return rows[0]?.id ?? '';
}

/** A new premium account's inbox with one message carrying notes.txt. */
async function inboxWithNotes() {
  const key = await service.createAccount('premium');
  const inbox = await createInbox(key);
  await sendMail(service.smtpPort, {
    to: inbox.email,
    from: 'Ada Lovelace <ada@example.com>',
    subject: 'Notes',
    text: 'Notes attached',
    attachments: [{ filename: 'notes.txt', content: NOTES, contentType: 'text/plain' }],
  });
  return { key, inboxId: inbox.id, address: inbox.email, emailId: await newestEmailId(inbox.id) };
}

const EMAIL = `query ($inboxId: ID!, $id: ID!) {
  email(inboxId: $inboxId, id: $id) {
    id inboxId fromName
    attachments { filename contentType size contentId inline checksum }
  }
}`;

const ATTACHMENT = `query ($inboxId: ID!, $emailId: ID!, $id: ID!) {
  email(inboxId: $inboxId, id: $emailId) { attachment(id: $id) { id filename } }
}`;

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

describe('query email', () => {
  it('returns one email of the inbox with its attachments in camelCase', async () => {
    const { key, inboxId, emailId } = await inboxWithNotes();

    const response = await gql(key, EMAIL, { inboxId, id: emailId });

    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.email).toEqual({
      id: emailId,
      inboxId,
      fromName: 'Ada Lovelace',
      attachments: [
        {
          filename: 'notes.txt',
          contentType: 'text/plain',
          size: NOTES.length,
          contentId: null,
          inline: false,
          checksum: createHash('sha256').update(NOTES).digest('hex'),
        },
      ],
    });
  });

  it("answers NOT_FOUND for another account's email", async () => {
    const { inboxId, emailId } = await inboxWithNotes();
    const stranger = await service.createAccount('premium');

    const response = await gql(stranger, EMAIL, { inboxId, id: emailId });

    expect(errorCodes(response.body)).toEqual(['NOT_FOUND']);
    expect(response.body.data?.email).toBeNull();
  });

  it('answers NOT_FOUND for an email of another inbox of the same account', async () => {
    const { key, emailId } = await inboxWithNotes();
    const other = await createInbox(key);

    const response = await gql(key, EMAIL, { inboxId: other.id, id: emailId });

    expect(errorCodes(response.body)).toEqual(['NOT_FOUND']);
    expect(response.body.errors?.[0]?.message).toBe('Email not found');
  });
});

describe('Email.attachment', () => {
  it('returns the attachment named by its id', async () => {
    const { key, inboxId, emailId } = await inboxWithNotes();
    const [id] = await service.sql<{ id: string }>(
      'select "id" from "attachment" where "email_id" = $1',
      [emailId],
    );

    const response = await gql(key, ATTACHMENT, { inboxId, emailId, id: id?.id });

    expect(response.body.data.email.attachment).toEqual({ id: id?.id, filename: 'notes.txt' });
  });

  it('answers NOT_FOUND for an id that names no attachment of the email', async () => {
    const { key, inboxId, emailId } = await inboxWithNotes();

    const response = await gql(key, ATTACHMENT, { inboxId, emailId, id: MISSING_ID });

    expect(errorCodes(response.body)).toEqual(['NOT_FOUND']);
    expect(response.body.errors?.[0]?.message).toBe('Attachment not found');
  });
});

describe('Email.attachments', () => {
  it('gives each email of a page its own attachments', async () => {
    const { key, inboxId, address } = await inboxWithNotes();
    await sendMail(service.smtpPort, { to: address, subject: 'Bare', text: 'Nothing attached' });

    const response = await gql(
      key,
      `query ($id: ID!) {
        inbox(id: $id) { emails(first: 10) { nodes { subject attachments { filename } } } }
      }`,
      { id: inboxId },
    );

    expect(response.body.data.inbox.emails.nodes).toEqual([
      { subject: 'Bare', attachments: [] },
      { subject: 'Notes', attachments: [{ filename: 'notes.txt' }] },
    ]);
  });
});
