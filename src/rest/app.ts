import { Readable } from 'node:stream';

import Router from '@koa/router';
import Koa from 'koa';

import type { ContextDeps } from '../graphql/context';
import type { DustmailYoga } from '../graphql/yoga';
import { homePage } from '../web/home';
import { errorMiddleware } from './error-middleware';
import { emailRoutes } from './routes/email';
import { inboxRoutes } from './routes/inbox';

const CLIENT_GONE_CODES = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE']);

/** Hands `/graphql` requests to yoga with Koa's raw request and response. */
function graphqlMiddleware(yoga: DustmailYoga): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path !== yoga.graphqlEndpoint) return next();

    const response = await yoga.handleNodeRequestAndResponse(ctx.req, ctx.res);
    response.headers.forEach((value, key) => ctx.append(key, value));
    // Streamed, so event-stream subscriptions flow instead of buffering forever. Yoga's
    // stream is its own ponyfill, which Readable.fromWeb refuses; it is async-iterable.
    // The body is set before the status: Koa turns a null body into 204 otherwise.
    ctx.body = response.body
      ? Readable.from(response.body as unknown as AsyncIterable<Uint8Array>)
      : '';
    ctx.status = response.status;
  };
}

/** The HTTP application: REST under /api/v1, GraphQL at /graphql, the web page at /. */
export function createApp(deps: ContextDeps, yoga: DustmailYoga): Koa {
  const app = new Koa({ proxy: false });
  const router = new Router();
  inboxRoutes(router, deps);
  emailRoutes(router, deps);

  const log = deps.log.child({ component: 'rest' });
  // Koa reports here what no middleware can catch, such as a response stream cut off by a
  // client that went away (a closed event-stream subscription); it would print to stderr.
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code && CLIENT_GONE_CODES.has(err.code)) log.debug({ err }, 'client went away');
    else log.error({ err, code: 'INTERNAL' }, 'response failed');
  });
  app.use(errorMiddleware(log));
  app.use(graphqlMiddleware(yoga));
  app.use(homePage());
  app.use(router.routes());
  return app;
}
