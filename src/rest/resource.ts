import type Router from '@koa/router';
import type { Context } from 'koa';

import { AppError } from '../lib/errors';

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Handler = (ctx: Context & { params: Record<string, string> }) => Promise<void>;

/**
 * Serves one path with a handler per method; any other method is 405 with `Allow`.
 * `before` runs first for every method (authentication, so a keyless request is 401).
 */
export function allow(
  router: Router,
  path: string,
  handlers: Partial<Record<Method, Handler>>,
  before: (ctx: Context) => Promise<void>,
) {
  // HEAD is GET without the body (RFC 9110 section 9.3.2); Koa drops the body itself.
  const served: Partial<Record<Method, Handler>> = handlers.GET
    ? { HEAD: handlers.GET, ...handlers }
    : handlers;
  const methods = Object.keys(served);
  router.all(path, async (ctx) => {
    await before(ctx);
    const handler = served[ctx.method as Method];
    if (!handler) {
      ctx.set('Allow', methods.join(', '));
      const message = `Use ${methods.join(' or ')} on this path`;
      throw new AppError('METHOD_NOT_ALLOWED', message);
    }
    await handler(ctx);
  });
}
