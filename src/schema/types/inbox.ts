import type { Inbox } from '../../db/entities/inbox';
import { createInbox, deleteInbox } from '../../domain/inbox/inbox-commands';
import { findActiveInbox, listActiveInboxes } from '../../domain/inbox/inbox-queries';
import { encodeCursor, listEmails } from '../../domain/mail/message-queries';
import { requireAccount } from '../../graphql/context';
import { builder } from '../builder';
import { AccountRef } from './account';
import { EmailConnectionRef } from './email';

export const InboxRef = builder.objectRef<Inbox>('Inbox').implement({
  description: 'A disposable address and the mail it received.',
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('address', { description: 'The full address.' }),
    localPart: t.exposeString('localPart'),
    domain: t.exposeString('domain'),
    createdAt: t.field({ type: 'DateTime', resolve: (i) => i.createdAt }),
    expiresAt: t.field({ type: 'DateTime', resolve: (i) => i.expiresAt }),
    emailCount: t.int({ resolve: (i, _args, ctx) => ctx.emailCounts.load(i.id) }),
    emails: t.field({
      type: EmailConnectionRef,
      args: {
        first: t.arg.int({ defaultValue: 20, description: 'Page size, at most 100.' }),
        after: t.arg.string({ required: false, description: 'endCursor of the previous page.' }),
      },
      resolve: async (inbox, args, ctx) => {
        const page = await listEmails(ctx.em, inbox.id, args.first ?? 20, args.after);
        const edges = page.emails.map((node) => ({ cursor: encodeCursor(node), node }));
        const endCursor = edges.at(-1)?.cursor ?? null;
        return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor }, inboxId: inbox.id };
      },
    }),
  }),
});

const InboxListRef = builder
  .objectRef<{ nodes: Inbox[]; totalCount: number }>('InboxList')
  .implement({
    fields: (t) => ({
      nodes: t.field({ type: [InboxRef], resolve: (l) => l.nodes }),
      totalCount: t.exposeInt('totalCount', { description: 'All active inboxes.' }),
    }),
  });

builder.queryField('inboxes', (t) =>
  t.field({
    type: InboxListRef,
    description: 'Active inboxes of the account, newest first (at most 50).',
    resolve: async (_root, _args, ctx) => {
      const { inboxes, total } = await listActiveInboxes(ctx.em, requireAccount(ctx), ctx.now());
      return { nodes: inboxes, totalCount: total };
    },
  }),
);

builder.queryField('inbox', (t) =>
  t.field({
    type: InboxRef,
    nullable: true,
    description: 'One active inbox of the account; NOT_FOUND for any other id.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      findActiveInbox(ctx.em, requireAccount(ctx), String(args.id), ctx.now()),
  }),
);

const CreateInboxInput = builder.inputType('CreateInboxInput', {
  fields: (t) => ({
    username: t.string({ required: false, description: 'The local part; premium only.' }),
    domain: t.string({ required: false, description: 'Defaults to the primary domain.' }),
  }),
});

const CreateInboxPayloadRef = builder.objectRef<{ inbox: Inbox }>('CreateInboxPayload').implement({
  fields: (t) => ({
    inbox: t.field({ type: InboxRef, resolve: (p) => p.inbox }),
    account: t.field({ type: AccountRef, resolve: (p) => p.inbox.account }),
  }),
});

builder.mutationField('createInbox', (t) =>
  t.field({
    type: CreateInboxPayloadRef,
    args: { input: t.arg({ type: CreateInboxInput, required: false }) },
    resolve: async (_root, args, ctx) => {
      const account = requireAccount(ctx);
      const input = {
        username: args.input?.username ?? undefined,
        domain: args.input?.domain ?? undefined,
      };
      const inbox = await createInbox(ctx.em, ctx.config, account, input, ctx.now());
      return { inbox };
    },
  }),
);

builder.mutationField('deleteInbox', (t) =>
  t.id({
    description: 'Deletes an inbox; its address refuses further mail. Returns its id.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      await deleteInbox(ctx.em, requireAccount(ctx), String(args.id), ctx.now());
      return args.id;
    },
  }),
);
