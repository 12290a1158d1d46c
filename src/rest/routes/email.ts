import type Router from '@koa/router';
import type { Context } from 'koa';

import { asciiFallback, downloadName, safeContentType } from '../../domain/mail/download-name';
import { readAttachmentContent, readRawMessage } from '../../domain/mail/message-queries';
import type { ContextDeps } from '../../graphql/context';
import { operations } from '../operations';
import { allow } from '../resource';
import { type AttachmentFields, emailJson, type EmailFields } from '../email-json';
import { authenticate, runOperation } from '../run-operation';

type RouteContext = Context & { params: Record<string, string> };
type Handler = (ctx: RouteContext) => Promise<void>;

const document = operations.email;

/** The ids in the path; GraphQL validates them. */
function location(ctx: RouteContext) {
  return { inboxId: ctx.params['id'] ?? '', emailId: ctx.params['emailId'] ?? '' };
}

/** GET /api/v1/inbox/:id/emails/:emailId: GetEmail, with every field. */
function getEmail(deps: ContextDeps): Handler {
  return async (ctx) => {
    const { inboxId, emailId } = location(ctx);

    const { data, rateLimit } = await runOperation<{ email: EmailFields }>(
      ctx,
      deps,
      document,
      'GetEmail',
      { inboxId, id: emailId },
    );

    ctx.body = { success: true, data: emailJson(data.email), meta: { rate_limit: rateLimit } };
  };
}

// Bytes travel badly through GraphQL. The two routes below run an operation that checks the
// key, counts the quota and finds the email or attachment (every refusal comes from it), then
// read the bytes through a domain query bound by the same access rule.

/** GET /api/v1/inbox/:id/emails/:emailId/raw: the message exactly as received. */
function getRawEmail(deps: ContextDeps): Handler {
  return async (ctx) => {
    const { inboxId, emailId } = location(ctx);

    const { data } = await runOperation<{ me: { id: string }; email: { id: string } }>(
      ctx,
      deps,
      document,
      'GetRawEmail',
      { inboxId, id: emailId },
    );
    const raw = await readRawMessage(
      deps.orm.em.fork(),
      data.me.id,
      { inboxId, emailId },
      deps.now(),
    );

    ctx.set('Content-Type', 'message/rfc822');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.attachment(`${data.email.id}.eml`);
    ctx.body = raw;
  };
}

/** GET /api/v1/inbox/:id/emails/:emailId/attachments/:attachmentId: the decoded content. */
function getAttachment(deps: ContextDeps): Handler {
  return async (ctx) => {
    const { inboxId, emailId } = location(ctx);
    const attachmentId = ctx.params['attachmentId'] ?? '';

    const { data } = await runOperation<{
      me: { id: string };
      email: { attachment: AttachmentFields };
    }>(ctx, deps, document, 'GetAttachment', { inboxId, emailId, id: attachmentId });
    const { attachment } = data.email;
    const where = { inboxId, emailId, attachmentId: attachment.id };
    const content = await readAttachmentContent(deps.orm.em.fork(), data.me.id, where, deps.now());

    // Always `attachment`, inline parts too: an HTML or SVG part opened in a browser must not
    // run as a page of this origin. The sandbox policy is the second line of that defence.
    const name = downloadName(attachment.filename, attachment.contentType);
    ctx.set('Content-Type', safeContentType(attachment.contentType));
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    ctx.attachment(name, { fallback: asciiFallback(name) });
    ctx.body = content;
  };
}

/** The /api/v1/inbox/:id/emails/… routes; each runs one GraphQL operation. */
export function emailRoutes(router: Router, deps: ContextDeps): void {
  const authenticated = (ctx: Context) => authenticate(ctx, deps);
  const email = '/api/v1/inbox/:id/emails/:emailId';
  allow(router, email, { GET: getEmail(deps) }, authenticated);
  allow(router, `${email}/raw`, { GET: getRawEmail(deps) }, authenticated);
  allow(router, `${email}/attachments/:attachmentId`, { GET: getAttachment(deps) }, authenticated);
}
