import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, isAsyncIterable, type Plugin, type YogaServerInstance } from 'graphql-yoga';

import type { QuotaState } from '../domain/account/quota';
import { schema } from '../schema';
import { type ContextDeps, createContext, type GraphQLContext, keyFromHeaders } from './context';
import { toGraphQLError } from './errors';
import { useParamJsonErrors } from './param-json-errors';
import { useParseLimits } from './parse-limits';
import { rateLimitHeaders } from './rate-limit-headers';

/** What a websocket operation hands the context factory instead of an HTTP request. */
export interface WsInitialContext {
  apiKey: string | null;
}

/** Extra context that callers outside HTTP provide. */
type ServerContext = Partial<WsInitialContext>;

export type DustmailYoga = YogaServerInstance<ServerContext, GraphQLContext>;

/** Puts the quota figures on every authenticated GraphQL response, as in REST. */
function useQuotaHeaders(quotas: WeakMap<Request, QuotaState>): Plugin {
  return {
    onResponse({ request, response }) {
      const quota = quotas.get(request);
      if (!quota) return;
      for (const [name, value] of Object.entries(rateLimitHeaders(quota))) {
        response.headers.set(name, value);
      }
    },
  };
}

/** The quota as GraphQL reports it in each result's `extensions.rateLimit`. */
function quotaExtension(quota: QuotaState) {
  return {
    limit: quota.limit,
    used: quota.used,
    remaining: quota.limit === null ? null : Math.max(0, quota.limit - quota.used),
    resetsAt: quota.resetAt.toISOString(),
  };
}

/** Adds today's quota to every result of an authenticated operation, over any transport. */
function useQuotaExtensions(): Plugin<GraphQLContext> {
  return {
    onExecute({ args }) {
      const { quota } = args.contextValue;
      if (!quota) return undefined;
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          setResult({
            ...result,
            extensions: { ...result.extensions, rateLimit: quotaExtension(quota) },
          });
        },
      };
    },
  };
}

/** The GraphQL server over HTTP; the websocket transport reuses its envelope. */
export function createGraphQLServer(deps: ContextDeps): DustmailYoga {
  const quotas = new WeakMap<Request, QuotaState>();
  const log = deps.log.child({ component: 'graphql' });

  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Yoga logs every error it hands maskError at error level, expected ones included;
    // toClientError already logs each unexpected error once, so these go to debug.
    logging: {
      debug: (...args) => log.debug({ args }, 'yoga debug'),
      info: (...args) => log.info({ args }, 'yoga info'),
      warn: (...args) => log.warn({ args }, 'yoga warning'),
      error: (first: unknown) => log.debug({ err: first }, 'yoga error'),
    },
    maxRequestBodySize: deps.config.maxBodyBytes,
    graphiql: { title: 'DustMail GraphiQL', subscriptionsProtocol: 'WS' },
    // GraphiQL's scripts are inlined from the package, so the page needs no CDN.
    renderGraphiQL,
    maskedErrors: { maskError: (error) => toGraphQLError(error, log) },
    context: async (initial) => {
      const request: Request | undefined = initial.request;
      const key =
        initial.apiKey !== undefined
          ? initial.apiKey
          : keyFromHeaders((name) => request?.headers.get(name));
      const ctx = await createContext(deps, key);
      if (request && ctx.quota) quotas.set(request, ctx.quota);
      return ctx;
    },
    plugins: [
      useParamJsonErrors(),
      useParseLimits(),
      useQuotaHeaders(quotas),
      useQuotaExtensions(),
    ],
  });
}
