import { Migration } from '@mikro-orm/migrations';

export class Migration20261204151228 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "account" ("id" uuid not null, "created_at" timestamptz(3) not null, "email" varchar(320) not null, "plan" varchar(16) not null, constraint "account_pkey" primary key ("id"));`);
    this.addSql(`alter table "account" add constraint "account_email_unique" unique ("email");`);

    this.addSql(`create table "api_key" ("id" uuid not null, "created_at" timestamptz(3) not null, "account_id" uuid not null, "name" varchar(100) not null, "prefix" varchar(32) not null, "hash" bytea not null, "last_used_at" timestamptz(3) null, "revoked_at" timestamptz(3) null, constraint "api_key_pkey" primary key ("id"));`);
    this.addSql(`create index "api_key_prefix_index" on "api_key" ("prefix");`);

    this.addSql(`create table "inbox" ("id" uuid not null, "created_at" timestamptz(3) not null, "account_id" uuid not null, "local_part" varchar(64) not null, "domain" varchar(253) not null, "address" varchar(320) not null, "expires_at" timestamptz(3) not null, "deleted_at" timestamptz(3) null, constraint "inbox_pkey" primary key ("id"));`);
    this.addSql(`alter table "inbox" add constraint "inbox_address_unique" unique ("address");`);
    this.addSql(`create index "inbox_account_id_created_at_index" on "inbox" ("account_id", "created_at");`);

    this.addSql(`create table "email" ("id" uuid not null, "created_at" timestamptz(3) not null, "inbox_id" uuid not null, "mail_from" text not null, "rcpt_to" jsonb not null, "client_ip" varchar(64) not null, "helo" text not null, "message_id" text null, "from_address" text not null, "from_name" text null, "to" jsonb not null, "cc" jsonb not null, "reply_to" jsonb not null, "subject" text null, "date" timestamptz(3) null, "text" text not null, "html" text null, "headers" jsonb not null, "size" int not null, "received_at" timestamptz(3) not null, "parse_problem" text null, constraint "email_pkey" primary key ("id"));`);
    this.addSql(`create index "email_inbox_id_received_at_index" on "email" ("inbox_id", "received_at");`);

    this.addSql(`create table "attachment" ("id" uuid not null, "created_at" timestamptz(3) not null, "email_id" uuid not null, "filename" text null, "content_type" text not null, "size" int not null, "content_id" text null, "inline" boolean not null, "checksum" varchar(64) not null, "content" bytea not null, constraint "attachment_pkey" primary key ("id"));`);
    this.addSql(`create index "attachment_email_id_index" on "attachment" ("email_id");`);

    this.addSql(`create table "raw_message" ("email_id" uuid not null, "content" bytea not null, constraint "raw_message_pkey" primary key ("email_id"));`);

    this.addSql(`create table "usage" ("account_id" uuid not null, "day" date not null, "count" int not null, constraint "usage_pkey" primary key ("account_id", "day"));`);

    this.addSql(`alter table "api_key" add constraint "api_key_account_id_foreign" foreign key ("account_id") references "account" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "inbox" add constraint "inbox_account_id_foreign" foreign key ("account_id") references "account" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "email" add constraint "email_inbox_id_foreign" foreign key ("inbox_id") references "inbox" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "attachment" add constraint "attachment_email_id_foreign" foreign key ("email_id") references "email" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "raw_message" add constraint "raw_message_email_id_foreign" foreign key ("email_id") references "email" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "usage" add constraint "usage_account_id_foreign" foreign key ("account_id") references "account" ("id") on update cascade on delete cascade;`);
  }

}
