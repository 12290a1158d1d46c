import { EntitySchema } from '@mikro-orm/core';

import type { Plan } from '../../config/env';
import { BaseEntity } from './base';

/** Someone who holds API keys and inboxes. */
export class Account extends BaseEntity {
  constructor(
    public email: string,
    public plan: Plan,
  ) {
    super();
  }
}

export const AccountSchema = new EntitySchema<Account, BaseEntity>({
  class: Account,
  extends: 'BaseEntity',
  tableName: 'account',
  properties: {
    email: { type: 'string', length: 320, unique: true },
    plan: { type: 'string', length: 16 },
  },
});
