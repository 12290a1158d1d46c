import type { Middleware } from 'koa';

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>DustMail</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; }
      code { background: #f3f3f3; padding: 0 .25rem; }
    </style>
  </head>
  <body>
    <h1>DustMail</h1>
    <p>Disposable inboxes over REST, GraphQL and live subscriptions.</p>
    <ul>
      <li>REST: <code>/api/v1/inbox</code> with <code>Authorization: Bearer dm_live_…</code></li>
      <li>GraphQL and GraphiQL: <a href="/graphql">/graphql</a> (websocket on the same path)</li>
    </ul>
  </body>
</html>
`;

/** The landing page at `/`. */
export function homePage(): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== '/' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.type = 'html';
    ctx.body = PAGE;
  };
}
