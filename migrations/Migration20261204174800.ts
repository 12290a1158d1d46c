import { Migration } from '@mikro-orm/migrations';

/** Custom domains of premium accounts; one verified owner per name. */
export class Migration20261204174800 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "custom_domain" ("id" uuid not null, "created_at" timestamptz(3) not null, "owner_id" uuid not null, "name" varchar(253) not null, "token" varchar(64) not null, "verified_at" timestamptz(3) null, constraint "custom_domain_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "custom_domain" add constraint "custom_domain_owner_id_name_unique" unique ("owner_id", "name");`,
    );
    this.addSql(
      `create unique index "custom_domain_verified_name_unique" on "custom_domain" ("name") where "verified_at" is not null;`,
    );
    this.addSql(
      `alter table "custom_domain" add constraint "custom_domain_owner_id_foreign" foreign key ("owner_id") references "account" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "custom_domain" cascade;`);
  }
}
