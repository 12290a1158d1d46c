import { randomUUID } from 'node:crypto';

import { EntitySchema } from '@mikro-orm/core';

/** Shared columns: a UUID id made in the process and the creation time. */
export abstract class BaseEntity {
  id: string = randomUUID();
  createdAt: Date = new Date();
}

export const BaseSchema = new EntitySchema<BaseEntity>({
  name: 'BaseEntity',
  abstract: true,
  properties: {
    id: { type: 'uuid', primary: true },
    createdAt: { type: 'Date', columnType: 'timestamptz(3)' },
  },
});
