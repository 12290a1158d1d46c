import { EntitySchema } from '@mikro-orm/core';

import { Account } from './account';
import { BaseEntity } from './base';

/**
 * A domain a premium account brings. It takes mail only once verified; one name has at
 * most one verified owner (a partial unique index in the migration).
 */
export class CustomDomain extends BaseEntity {
  verifiedAt: Date | null = null;

  constructor(
    public owner: Account,
    /** IDNA ASCII, lower case. */
    public name: string,
    /** Published as `dustmail-verification=<token>` in a TXT record on the domain. */
    public token: string,
  ) {
    super();
  }
}

export const CustomDomainSchema = new EntitySchema<CustomDomain, BaseEntity>({
  class: CustomDomain,
  extends: 'BaseEntity',
  tableName: 'custom_domain',
  uniques: [{ properties: ['owner', 'name'] }],
  properties: {
    owner: { kind: 'm:1', entity: () => Account, deleteRule: 'cascade' },
    name: { type: 'string', length: 253 },
    token: { type: 'string', length: 64 },
    verifiedAt: { type: 'Date', columnType: 'timestamptz(3)', nullable: true },
  },
});
