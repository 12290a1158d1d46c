import { Migration } from '@mikro-orm/migrations';

/**
 * Attachments keep their description only: the bytes are in the raw message, and are decoded
 * from it when downloaded. Storing them twice doubled the memory a large message took.
 */
export class Migration20261204184500 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "attachment" drop column "content";`);
  }

  override async down(): Promise<void> {
    // The bytes are not restored; they are still in raw_message.
    this.addSql(`alter table "attachment" add column "content" bytea null;`);
  }
}
