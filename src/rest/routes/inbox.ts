import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';

import type { ContextDeps } from '../../graphql/context';
import { readJsonBody } from '../body';
import { type EmailFields, emailJson } from '../email-json';
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

const plan = (meta: AccountMeta) => meta.plan.toLowerCase();

type RouteContext = Context & { params: Record<string, string> };
type Handler = (ctx: RouteContext) => Promise<void>;

const document = operations.inbox;

/** POST /api/v1/inbox: CreateInbox with the optional username and domain. */
function createInbox(deps: ContextDeps): Handler {
  return async (ctx) => {
    const parsed = createBody.safeParse(await readJsonBody(ctx, deps.config.maxBodyBytes));
    if (!parsed.success) {
      throw new ValidationError(
        'Body must be an object with optional string fields username and domain',
      );
    }
    const input = { username: parsed.data?.username, domain: parsed.data?.domain };

    const { data, rateLimit } = await runOperation<{
      createInbox: { inbox: InboxFields; account: AccountMeta };
    }>(ctx, deps, document, 'CreateInbox', { input });

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
  };
}

/** GET /api/v1/inbox: ListInboxes, each with its email count. */
function listInboxes(deps: ContextDeps): Handler {
  return async (ctx) => {
    const { data, rateLimit } = await runOperation<{
      me: AccountMeta;
      inboxes: { totalCount: number; nodes: (InboxFields & { emailCount: number })[] };
    }>(ctx, deps, document, 'ListInboxes');

    ctx.body = {
      success: true,
      data: data.inboxes.nodes.map((i) => ({ ...inboxJson(i), email_count: i.emailCount })),
      meta: { total: data.inboxes.totalCount, plan: plan(data.me), rate_limit: rateLimit },
    };
  };
}

/** GET /api/v1/inbox/:id: GetInbox with its most recent emails. */
function getInbox(deps: ContextDeps): Handler {
  return async (ctx) => {
    const { data, rateLimit } = await runOperation<{
      inbox: InboxFields & { emailCount: number; emails: { nodes: EmailFields[] } };
    }>(ctx, deps, document, 'GetInbox', { id: ctx.params['id'] });

    ctx.body = {
      success: true,
      data: { inbox: inboxJson(data.inbox), emails: data.inbox.emails.nodes.map(emailJson) },
      meta: { email_count: data.inbox.emailCount, rate_limit: rateLimit },
    };
  };
}

/** DELETE /api/v1/inbox/:id: DeleteInbox. */
function deleteInbox(deps: ContextDeps): Handler {
  return async (ctx) => {
    await runOperation(ctx, deps, document, 'DeleteInbox', { id: ctx.params['id'] });
    ctx.body = { success: true, message: 'Inbox deleted' };
  };
}

/** The documented /api/v1/inbox routes; each runs one GraphQL operation. */
export function inboxRoutes(router: Router, deps: ContextDeps): void {
  const authenticated = (ctx: Context) => authenticate(ctx, deps);
  allow(
    router,
    '/api/v1/inbox',
    { POST: createInbox(deps), GET: listInboxes(deps) },
    authenticated,
  );
  allow(
    router,
    '/api/v1/inbox/:id',
    { GET: getInbox(deps), DELETE: deleteInbox(deps) },
    authenticated,
  );
}
