import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { request } from '../helpers/http';
import { startService, type TestService } from '../helpers/service';
import { ACCEPTED_DIFFERENCES, type ComparedField } from './accepted-differences';
import { readReference, type Reference } from './reference';

// Every message of the real-world corpus goes through SMTP with nodemailer. Each must be
// accepted, stored byte for byte, and agree with the independent reference parser on
// subject, From and text, or be listed in accepted-differences.ts with the reason.
// Run by `npm run test:corpus` (DUSTMAIL_CORPUS_DIR names the corpus folder).

const corpusDir = process.env['DUSTMAIL_CORPUS_DIR'];
if (!corpusDir) throw new Error('DUSTMAIL_CORPUS_DIR must name the corpus folder');
const references = readReference(corpusDir);
const ENVELOPE_FROM = 'corpus-sender@example.test';

let service: TestService;
let key: string;

beforeAll(async () => {
  service = await startService();
  key = await service.createAccount('premium');
});

afterAll(async () => {
  await service?.stop();
});

/**
 * The DATA content nodemailer sends for a file: every lone LF becomes CRLF and the last
 * line gets its line break (SMTP carries CRLF lines only, RFC 5321 section 2.3.8).
 */
function onTheWire(file: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let lf = file.indexOf(0x0a); lf >= 0; lf = file.indexOf(0x0a, lf + 1)) {
    if (lf > 0 && file[lf - 1] === 0x0d) continue;
    parts.push(file.subarray(start, lf), Buffer.from('\r\n'));
    start = lf + 1;
  }
  parts.push(file.subarray(start));
  const last = file[file.length - 1];
  if (last === 0x0d) parts.push(Buffer.from('\n'));
  else if (last !== 0x0a) parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

const collapse = (text: string): string => text.split(/\s+/u).filter(Boolean).join(' ');

interface Shown {
  from: string;
  subject: string;
  text: string;
}

/** The fields on which the product and the reference disagree, with both values. */
function disagreements(shown: Shown, reference: Reference): Map<ComparedField, string> {
  const found = new Map<ComparedField, string>();
  const subject = collapse(reference.subject ?? '');
  if (collapse(shown.subject) !== subject) {
    found.set('subject', `${JSON.stringify(shown.subject)} vs ${JSON.stringify(subject)}`);
  }
  const from = reference.from[0]?.address || ENVELOPE_FROM;
  if (shown.from.toLowerCase() !== from.toLowerCase()) {
    found.set('from', `${JSON.stringify(shown.from)} vs ${JSON.stringify(from)}`);
  }
  // The reference keeps the first 200 characters of the text/plain body only; DustMail
  // joins inline text parts, so its text must start with that preview.
  if (reference.has_text_plain && !collapse(shown.text).startsWith(reference.text_preview)) {
    const ours = collapse(shown.text).slice(0, 80);
    found.set(
      'text',
      `${JSON.stringify(ours)} vs ${JSON.stringify(reference.text_preview.slice(0, 80))}`,
    );
  }
  return found;
}

async function send(to: string, raw: Buffer): Promise<string> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: service.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  try {
    const info = await transport.sendMail({ envelope: { from: ENVELOPE_FROM, to }, raw });
    return info.response;
  } finally {
    transport.close();
  }
}

interface Delivery {
  response: string;
  shown: Shown;
  sent: Buffer;
  stored: Buffer;
}

/** Sends one corpus file to a new inbox and reads back what DustMail shows and keeps. */
async function deliver(bytes: Buffer): Promise<Delivery> {
  const inbox = (await request(service.httpUrl, 'POST', '/api/v1/inbox', { key })).body.data;
  const response = await send(inbox.email, bytes);
  const read = await request(service.httpUrl, 'GET', `/api/v1/inbox/${inbox.id}`, { key });
  const shown = read.body.data.emails[0] as Shown & { id: string };
  const raw = await fetch(`${service.httpUrl}/api/v1/inbox/${inbox.id}/emails/${shown.id}/raw`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const stored = Buffer.from(await raw.arrayBuffer());
  return { response, shown, sent: onTheWire(bytes), stored };
}

describe.each(references.map((reference) => [reference.path, reference] as const))(
  'corpus message %s',
  (file, reference) => {
    let delivery: Delivery;

    beforeAll(async () => {
      const bytes = await readFile(path.join(corpusDir, file));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(reference.sha256);
      delivery = await deliver(bytes);
    });

    it('is accepted with 250', () => {
      expect(delivery.response).toMatch(/^250 /);
    });

    it('is kept byte for byte after one Received header', () => {
      const { sent, stored } = delivery;

      const cut = stored.length - sent.length;

      expect(stored.subarray(cut).equals(sent)).toBe(true);
      expect(stored.subarray(0, cut).toString('latin1')).toMatch(
        /^Received: [^\r\n]*(?:\r\n[ \t][^\r\n]*)*\r\n$/,
      );
    });

    it('shows subject, From and text as the reference reads them, or as listed', () => {
      const accepted = ACCEPTED_DIFFERENCES[file] ?? {};

      const found = disagreements(delivery.shown, reference);

      const unlisted = [...found].filter(([field]) => !(field in accepted));
      const stale = Object.keys(accepted).filter((field) => !found.has(field as ComparedField));
      expect(unlisted, 'disagreements missing from accepted-differences.ts').toEqual([]);
      expect(stale, 'listed differences that no longer occur').toEqual([]);
    });
  },
);
