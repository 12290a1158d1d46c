import { EntitySchema } from '@mikro-orm/core';

import { BaseEntity } from './base';
import { Email } from './email';

/** An attachment or inline part of an email, described; its bytes stay in the raw message. */
export class Attachment extends BaseEntity {
  email!: Email;
  filename: string | null = null;
  contentType!: string;
  size!: number;
  contentId: string | null = null;
  inline!: boolean;
  /** Index among the email's attachments, in message order. */
  position = 0;
  /** SHA-256 of the decoded content; the bytes are decoded from the raw message on demand. */
  checksum!: string;
}

export const AttachmentSchema = new EntitySchema<Attachment, BaseEntity>({
  class: Attachment,
  extends: 'BaseEntity',
  tableName: 'attachment',
  properties: {
    email: { kind: 'm:1', entity: () => Email, deleteRule: 'cascade', index: true },
    filename: { type: 'text', nullable: true },
    contentType: { type: 'text' },
    size: { type: 'integer' },
    contentId: { type: 'text', nullable: true },
    inline: { type: 'boolean' },
    position: { type: 'integer', default: 0 },
    checksum: { type: 'string', length: 64 },
  },
});
