import { EntitySchema } from '@mikro-orm/core';

import { Account } from './account';

/** Requests an account made on one UTC day; the daily quota counter. */
export class Usage {
  constructor(
    public account: Account,
    public day: string,
    public count: number,
  ) {}
}

export const UsageSchema = new EntitySchema<Usage>({
  class: Usage,
  tableName: 'usage',
  properties: {
    account: { kind: 'm:1', entity: () => Account, primary: true, deleteRule: 'cascade' },
    day: { type: 'date', primary: true },
    count: { type: 'integer' },
  },
});
