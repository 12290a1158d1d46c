import { EntitySchema } from '@mikro-orm/core';

import { BaseEntity } from './base';
import { Inbox } from './inbox';

/** One address as shown in a header. */
export interface MailAddress {
  name: string;
  address: string;
}

/** One header line, in message order. */
export interface HeaderLine {
  name: string;
  value: string;
}

/** A message as stored for one inbox. The raw bytes live in `raw_message`. */
export class Email extends BaseEntity {
  inbox!: Inbox;
  mailFrom!: string;
  rcptTo!: string[];
  clientIp!: string;
  helo!: string;
  messageId: string | null = null;
  fromAddress!: string;
  fromName: string | null = null;
  to: MailAddress[] = [];
  cc: MailAddress[] = [];
  replyTo: MailAddress[] = [];
  subject: string | null = null;
  date: Date | null = null;
  text!: string;
  html: string | null = null;
  headers: HeaderLine[] = [];
  size!: number;
  receivedAt!: Date;
  parseProblem: string | null = null;
}

export const EmailSchema = new EntitySchema<Email, BaseEntity>({
  class: Email,
  extends: 'BaseEntity',
  tableName: 'email',
  indexes: [{ properties: ['inbox', 'receivedAt'] }],
  properties: {
    inbox: { kind: 'm:1', entity: () => Inbox, deleteRule: 'cascade' },
    mailFrom: { type: 'text' },
    rcptTo: { type: 'json' },
    clientIp: { type: 'string', length: 64 },
    helo: { type: 'text' },
    messageId: { type: 'text', nullable: true },
    fromAddress: { type: 'text' },
    fromName: { type: 'text', nullable: true },
    to: { type: 'json' },
    cc: { type: 'json' },
    replyTo: { type: 'json' },
    subject: { type: 'text', nullable: true },
    date: { type: 'Date', columnType: 'timestamptz(3)', nullable: true },
    text: { type: 'text' },
    html: { type: 'text', nullable: true },
    headers: { type: 'json' },
    size: { type: 'integer' },
    receivedAt: { type: 'Date', columnType: 'timestamptz(3)' },
    parseProblem: { type: 'text', nullable: true },
  },
});
