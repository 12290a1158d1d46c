import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';

import type { ContextDeps } from '../../graphql/context';
import { readJsonBody } from '../body';
import { operations } from '../operations';
import { ValidationError } from '../../lib/errors';
import { authenticate, runOperation } from '../run-operation';
import { allow } from '../resource';

interface InboxFields {
  id: string;
  email: string;
  domain: string;
  createdAt: string;
  expiresAt: string;
}

interface AccountMeta {
  plan: 'FREE' | 'PREMIUM';
  availableDomains: string[];
  quota: { limit: number | null; used: number };
}

interface EmailFields {
  id: string;
  from: string;
  subject: string | null;
  text: string;
  html: string | null;
  receivedAt: string;
}

const createBody = z
  .object({
    username: z.string().nullish(),
    domain: z.string().nullish(),
  })
  .nullish();

function inboxJson(inbox: InboxFields) {
  return {
    id: inbox.id,
    email: inbox.email,
    domain: inbox.domain,
    created_at: inbox.createdAt,
    expires_at: inbox.expiresAt,
  };
}

function emailJson(email: EmailFields) {
  return {
    id: email.id,
    from: email.from,
    subject: email.subject ?? '',
    text: email.text,
    html: email.html,
    received_at: email.receivedAt,
  };
}

const plan = (meta: AccountMeta) => meta.plan.toLowerCase();

/** The documented /api/v1/inbox routes; each runs one GraphQL operation. */
export function inboxRoutes(router: Router, deps: ContextDeps): void {
  const doc = operations.inbox;
  const authenticated = (ctx: Context) => authenticate(ctx, deps);

  allow(
    router,
    '/api/v1/inbox',
    {
      POST: async (ctx) => {
        const body = await readJsonBody(ctx, deps.config.maxBodyBytes);
        const parsed = createBody.safeParse(body);
        if (!parsed.success) {
          const message = 'Body must be an object with optional string fields username and domain';
          throw new ValidationError(message);
        }
        const input = { username: parsed.data?.username, domain: parsed.data?.domain };
        const { data, rateLimit } = await runOperation<{
          createInbox: { inbox: InboxFields; account: AccountMeta };
        }>(ctx, deps, doc, 'CreateInbox', { input });

        const { inbox, account } = data.createInbox;
        ctx.status = 201;
        ctx.body = {
          success: true,
          data: inboxJson(inbox),
          meta: {
            plan: plan(account),
            rate_limit: rateLimit,
            available_domains: account.availableDomains,
          },
        };
      },
      GET: async (ctx) => {
        const { data, rateLimit } = await runOperation<{
          me: AccountMeta;
          inboxes: { totalCount: number; nodes: (InboxFields & { emailCount: number })[] };
        }>(ctx, deps, doc, 'ListInboxes');

        ctx.body = {
          success: true,
          data: data.inboxes.nodes.map((i) => ({ ...inboxJson(i), email_count: i.emailCount })),
          meta: { total: data.inboxes.totalCount, plan: plan(data.me), rate_limit: rateLimit },
        };
      },
    },
    authenticated,
  );

  allow(
    router,
    '/api/v1/inbox/:id',
    {
      GET: async (ctx) => {
        const { data, rateLimit } = await runOperation<{
          inbox: InboxFields & { emailCount: number; emails: { nodes: EmailFields[] } };
        }>(ctx, deps, doc, 'GetInbox', { id: ctx.params['id'] });

        ctx.body = {
          success: true,
          data: { inbox: inboxJson(data.inbox), emails: data.inbox.emails.nodes.map(emailJson) },
          meta: { email_count: data.inbox.emailCount, rate_limit: rateLimit },
        };
      },
      DELETE: async (ctx) => {
        await runOperation(ctx, deps, doc, 'DeleteInbox', { id: ctx.params['id'] });
        ctx.body = { success: true, message: 'Inbox deleted' };
      },
    },
    authenticated,
  );
}
