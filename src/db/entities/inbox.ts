import { EntitySchema } from '@mikro-orm/core';

import { Account } from './account';
import { BaseEntity } from './base';

/** A disposable address. The row outlives the inbox so the address is never reused. */
export class Inbox extends BaseEntity {
  deletedAt: Date | null = null;

  constructor(
    public account: Account,
    public localPart: string,
    public domain: string,
    public address: string,
    public expiresAt: Date,
  ) {
    super();
  }
}

export const InboxSchema = new EntitySchema<Inbox, BaseEntity>({
  class: Inbox,
  extends: 'BaseEntity',
  tableName: 'inbox',
  indexes: [{ properties: ['account', 'createdAt'] }],
  properties: {
    account: { kind: 'm:1', entity: () => Account, deleteRule: 'cascade' },
    localPart: { type: 'string', length: 64 },
    domain: { type: 'string', length: 253 },
    address: { type: 'string', length: 320, unique: true },
    expiresAt: { type: 'Date', columnType: 'timestamptz(3)' },
    deletedAt: { type: 'Date', columnType: 'timestamptz(3)', nullable: true },
  },
});
