import type { Email, HeaderLine, MailAddress } from '../../db/entities/email';
import { findAttachment, findEmailInInbox } from '../../domain/mail/message-queries';
import { requireAccount } from '../../graphql/context';
import { builder } from '../builder';
import { AttachmentRef, attachmentsLoader } from './attachment';

export const AddressRef = builder.objectRef<MailAddress>('Address').implement({
  description: 'A mailbox as written in a header.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name; empty when none.' }),
    address: t.exposeString('address'),
  }),
});

export const HeaderRef = builder.objectRef<HeaderLine>('Header').implement({
  description: 'One header line, unfolded, in message order.',
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.exposeString('value'),
  }),
});

export const EmailRef = builder.objectRef<Email>('Email').implement({
  description: 'A message received by an inbox.',
  fields: (t) => ({
    id: t.exposeID('id'),
    inboxId: t.id({ resolve: (e) => e.inbox.id }),
    from: t.exposeString('fromAddress', {
      description: "The From header's address, or the envelope sender when there is none.",
    }),
    fromName: t.exposeString('fromName', { nullable: true }),
    to: t.field({ type: [AddressRef], resolve: (e) => e.to }),
    cc: t.field({ type: [AddressRef], resolve: (e) => e.cc }),
    replyTo: t.field({ type: [AddressRef], resolve: (e) => e.replyTo }),
    subject: t.exposeString('subject', { nullable: true }),
    text: t.exposeString('text', {
      description: 'The plain-text body, made from the HTML when there is only HTML.',
    }),
    html: t.exposeString('html', { nullable: true }),
    messageId: t.exposeString('messageId', { nullable: true }),
    date: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.date }),
    size: t.exposeInt('size', { description: 'Size of the raw message in bytes.' }),
    headers: t.field({ type: [HeaderRef], resolve: (e) => e.headers }),
    envelopeFrom: t.exposeString('mailFrom', { description: 'MAIL FROM of the SMTP session.' }),
    parseProblem: t.exposeString('parseProblem', {
      nullable: true,
      description:
        'Why the fields are incomplete or guessed (a parse failure, a guessed charset); null when the message read cleanly. The raw message is always whole.',
    }),
    receivedAt: t.field({ type: 'DateTime', resolve: (e) => e.receivedAt }),
    attachments: t.field({
      type: [AttachmentRef],
      description: 'Attachments and inline parts, without their content.',
      resolve: (e, _args, ctx) => attachmentsLoader(ctx).load(e.id),
    }),
    attachment: t.field({
      type: AttachmentRef,
      nullable: true,
      description: 'One attachment of this email; NOT_FOUND for any other id.',
      args: { id: t.arg.id({ required: true }) },
      resolve: (e, args, ctx) => findAttachment(ctx.em, e, String(args.id)),
    }),
  }),
});

builder.queryField('email', (t) =>
  t.field({
    type: EmailRef,
    nullable: true,
    description: 'One email of an active inbox of the account; NOT_FOUND for any other ids.',
    args: { inboxId: t.arg.id({ required: true }), id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => {
      const where = { inboxId: String(args.inboxId), emailId: String(args.id) };
      return findEmailInInbox(ctx.em, requireAccount(ctx), where, ctx.now());
    },
  }),
);

const PageInfoRef = builder
  .objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo')
  .implement({
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage'),
      endCursor: t.exposeString('endCursor', { nullable: true }),
    }),
  });

const EmailEdgeRef = builder.objectRef<{ cursor: string; node: Email }>('EmailEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: EmailRef, resolve: (edge) => edge.node }),
  }),
});

/** A page of emails as a cursor connection. */
export interface EmailConnectionShape {
  edges: { cursor: string; node: Email }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  inboxId: string;
}

export const EmailConnectionRef = builder
  .objectRef<EmailConnectionShape>('EmailConnection')
  .implement({
    description: "A page of an inbox's emails, newest first.",
    fields: (t) => ({
      edges: t.field({ type: [EmailEdgeRef], resolve: (c) => c.edges }),
      nodes: t.field({ type: [EmailRef], resolve: (c) => c.edges.map((edge) => edge.node) }),
      pageInfo: t.field({ type: PageInfoRef, resolve: (c) => c.pageInfo }),
      totalCount: t.int({
        description: 'All emails of the inbox.',
        resolve: (c, _args, ctx) => ctx.emailCounts.load(c.inboxId),
      }),
    }),
  });
