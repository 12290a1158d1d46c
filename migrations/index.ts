import type { MigrationObject } from '@mikro-orm/core';

import { Migration20261204151228 } from './Migration20261204151228';
import { Migration20261204174800 } from './Migration20261204174800';
import { Migration20261204184500 } from './Migration20261204184500';
import { Migration20261204193000 } from './Migration20261204193000';

/**
 * Every migration, oldest first. Listed rather than discovered on disk, so the same list
 * applies from compiled code and from the sources under test.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261204151228', class: Migration20261204151228 },
  { name: 'Migration20261204174800', class: Migration20261204174800 },
  { name: 'Migration20261204184500', class: Migration20261204184500 },
  { name: 'Migration20261204193000', class: Migration20261204193000 },
];
