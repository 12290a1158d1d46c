import type { IncomingMessage, Server } from 'node:http';

import type { ExecutionArgs } from 'graphql';
import { CloseCode, type ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';

import type { Orm } from '../db/orm';
import { findAccountByKey } from '../domain/account/api-keys';
import type { Logger } from '../lib/logger';
import { keyFromHeaders } from './context';
import { toGraphQLError } from './errors';
import type { DustmailYoga } from './yoga';

/** Keeps idle sockets alive through proxies and finds dead peers. */
const WS_KEEPALIVE_MS = 12_000;
/** How often an open socket's key is checked again, so revocation reaches it. */
const KEY_RECHECK_MS = 5_000;
/** A socket that does not send connection_init in time is closed (4408). */
const WS_INIT_TIMEOUT_MS = 10_000;

type ConnectionParams = Record<string, unknown>;

/** The enveloped executors travel to `execute`/`subscribe` in the root value. */
interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => ExecutionResultOrStream;
  subscribe: (args: ExecutionArgs) => ExecutionResultOrStream;
}

type ExecutionResultOrStream = ReturnType<NonNullable<ServerOptions['execute']>>;

/** The key from connectionParams (`authorization` or `apiKey`) or the upgrade headers. */
function keyOf(params: ConnectionParams | undefined, request: IncomingMessage): string | null {
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const fromParams = keyFromHeaders((name) => {
    if (name === 'authorization')
      return text(params?.['authorization'] ?? params?.['Authorization']);
    return text(params?.['apiKey'] ?? params?.['x-api-key']);
  });
  if (fromParams) return fromParams;
  return keyFromHeaders((name) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  });
}

/**
 * A revoked key must stop working for open sockets too: the key is checked again every
 * KEY_RECHECK_MS, and the socket is closed with 4403 once it no longer opens an account.
 */
function closeWhenKeyRevoked(socket: WebSocket, key: string, orm: Orm, log: Logger): void {
  const timer = setInterval(() => {
    findAccountByKey(orm.em.fork(), key).then(
      (account) => {
        if (account) return;
        log.info({ code: 'UNAUTHORIZED' }, 'ws closed: key revoked');
        socket.close(CloseCode.Forbidden, 'Forbidden');
      },
      // A failed check is not a revocation: the next one decides.
      (err: unknown) => log.warn({ err }, 'ws key recheck failed'),
    );
  }, KEY_RECHECK_MS);
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}

/** A running graphql-ws endpoint on the HTTP server's `/graphql` path. */
export interface GraphQLWsServer {
  close(): Promise<void>;
}

/**
 * Serves GraphQL subscriptions (graphql-ws protocol) on `/graphql`. A connection without a
 * valid API key is closed with 4403; each operation is counted against the quota.
 */
export function attachGraphQLWs(
  httpServer: Server,
  yoga: DustmailYoga,
  orm: Orm,
  log: Logger,
  maxMessageBytes: number,
): GraphQLWsServer {
  const wsLog = log.child({ component: 'ws' });
  // A message over the HTTP body limit closes the socket with 1009, as a body over it gets 413.
  const wss = new WebSocketServer({
    server: httpServer,
    path: yoga.graphqlEndpoint,
    maxPayload: maxMessageBytes,
  });

  const disposable = useServer<ConnectionParams>(
    {
      connectionInitWaitTimeout: WS_INIT_TIMEOUT_MS,
      isProd: true,
      // false closes with 4403; a thrown error closes with 4500 and, with isProd, a fixed
      // reason that does not quote the error.
      onConnect: async (ctx) => {
        const key = keyOf(ctx.connectionParams, ctx.extra.request);
        let accepted: boolean;
        try {
          accepted = key !== null && (await findAccountByKey(orm.em.fork(), key)) !== null;
        } catch (err) {
          wsLog.error({ err, code: 'INTERNAL' }, 'ws key check failed');
          throw err;
        }
        if (accepted && key) closeWhenKeyRevoked(ctx.extra.socket, key, orm, wsLog);
        return accepted;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const apiKey = keyOf(ctx.connectionParams, ctx.extra.request);
        const enveloped = yoga.getEnveloped({ apiKey, params: payload });
        let contextValue: unknown;
        let document: ExecutionArgs['document'];
        try {
          document = enveloped.parse(payload.query);
          contextValue = await enveloped.contextFactory();
        } catch (err) {
          return [toGraphQLError(err, wsLog)];
        }
        const root: EnvelopedRoot = { execute: enveloped.execute, subscribe: enveloped.subscribe };
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
          rootValue: root,
        };
        const errors = enveloped.validate(args.schema, args.document);
        if (errors.length > 0) return errors.map((error: unknown) => toGraphQLError(error, wsLog));
        return args;
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onError: (_ctx, _id, _payload, errors) => {
        wsLog.debug({ errors: errors.map((e) => e.message) }, 'ws operation failed');
      },
    },
    wss,
    WS_KEEPALIVE_MS,
  );

  return {
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
