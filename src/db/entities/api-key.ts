import { EntitySchema } from '@mikro-orm/core';

import { Account } from './account';
import { BaseEntity } from './base';

/** An API key; only its SHA-256 hash and a display prefix are stored. */
export class ApiKey extends BaseEntity {
  lastUsedAt: Date | null = null;
  revokedAt: Date | null = null;

  constructor(
    public account: Account,
    public name: string,
    public prefix: string,
    public hash: Buffer,
  ) {
    super();
  }
}

export const ApiKeySchema = new EntitySchema<ApiKey, BaseEntity>({
  class: ApiKey,
  extends: 'BaseEntity',
  tableName: 'api_key',
  properties: {
    account: { kind: 'm:1', entity: () => Account, deleteRule: 'cascade' },
    name: { type: 'string', length: 100 },
    prefix: { type: 'string', length: 32, index: true },
    hash: { type: 'Buffer', columnType: 'bytea' },
    lastUsedAt: { type: 'Date', columnType: 'timestamptz(3)', nullable: true },
    revokedAt: { type: 'Date', columnType: 'timestamptz(3)', nullable: true },
  },
});
