import { filter, pipe } from 'graphql-yoga';

import type { EmailReceivedEvent } from '../../domain/mail/events';
import { findEmailForAccount } from '../../domain/mail/message-queries';
import { findActiveInbox } from '../../domain/inbox/inbox-queries';
import { requireAccount } from '../../graphql/context';
import { builder } from '../builder';
import { EmailRef } from './email';

builder.subscriptionField('emailReceived', (t) =>
  t.field({
    type: EmailRef,
    description: "Mail as it arrives: in one inbox, or in all of the caller's inboxes.",
    args: { inboxId: t.arg.id({ required: false }) },
    subscribe: async (_root, args, ctx) => {
      const account = requireAccount(ctx);
      const inboxId = args.inboxId
        ? (await findActiveInbox(ctx.em, account, String(args.inboxId), ctx.now())).id
        : null;
      const mine = (event: EmailReceivedEvent): boolean =>
        event.accountId === account.id && (inboxId === null || event.inboxId === inboxId);
      return pipe(ctx.pubsub.subscribe('emailReceived'), filter(mine));
    },
    resolve: async (event: EmailReceivedEvent, _args, ctx) => {
      // Each event is its own unit of work: a fresh fork, not the subscription's.
      const em = ctx.orm.em.fork();
      const email = await findEmailForAccount(em, event.accountId, event.emailId);
      if (!email) throw new Error('announced email is missing');
      return email;
    },
  }),
);
