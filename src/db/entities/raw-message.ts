import { EntitySchema } from '@mikro-orm/core';

import { Email } from './email';

/** The message exactly as received in DATA, kept apart so listings never load it. */
export class RawMessage {
  constructor(
    public email: Email,
    public content: Buffer,
  ) {}
}

export const RawMessageSchema = new EntitySchema<RawMessage>({
  class: RawMessage,
  tableName: 'raw_message',
  properties: {
    email: { kind: '1:1', entity: () => Email, primary: true, owner: true, deleteRule: 'cascade' },
    content: { type: 'Buffer', columnType: 'bytea', lazy: true },
  },
});
