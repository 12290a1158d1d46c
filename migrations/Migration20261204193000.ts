import { Migration } from '@mikro-orm/migrations';

/** Attachments are listed in the order of their parts in the message. */
export class Migration20261204193000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "attachment" add column "position" int not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "attachment" drop column "position";`);
  }
}
