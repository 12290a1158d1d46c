import { randomUUID } from 'node:crypto';

import type { Middleware } from 'koa';

import { toClientError } from '../graphql/errors';
import { NotFoundError } from '../lib/errors';
import type { Logger } from '../lib/logger';

/** Gives every request an id, logs one summary line, and writes errors in the documented shape. */
export function errorMiddleware(log: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    const reqId = randomUUID();
    ctx.set('X-Request-Id', reqId);

    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new NotFoundError('No such route');
      }
    } catch (err) {
      // Every error, expected or not, becomes the documented body here, logged once with
      // the request id when it is a fault.
      const client = toClientError(err, log.child({ reqId }));
      ctx.status = client.status;
      ctx.set(client.headers);
      ctx.body = { success: false, error: { code: client.code, message: client.message } };
    }

    const durationMs = Math.round(performance.now() - started);
    log.info(
      { reqId, method: ctx.method, path: ctx.path, status: ctx.status, durationMs },
      'request finished',
    );
  };
}
