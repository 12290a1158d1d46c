import { type DocumentNode, execute } from 'graphql';
import type { Context } from 'koa';

import {
  type ContextDeps,
  createContext,
  type GraphQLContext,
  keyFromHeaders,
  unauthorized,
} from '../graphql/context';
import { rateLimitHeaders } from '../graphql/rate-limit-headers';
import { schema } from '../schema';

/** The result of one operation run for a REST route. */
export interface OperationOutcome<T> {
  data: T;
  rateLimit: { limit: number | null; used: number };
}

/** An authenticated REST request: its GraphQL context, quota already counted. */
interface AuthenticatedState {
  graphqlContext?: GraphQLContext & { quota: NonNullable<GraphQLContext['quota']> };
}

/**
 * Checks the API key and counts the request against the quota, once per request, before
 * anything else is looked at: a request without a valid key is 401 whatever its method or
 * body, and every authenticated request counts and carries the rate-limit headers.
 */
export async function authenticate(ctx: Context, deps: ContextDeps): Promise<void> {
  const state = ctx.state as AuthenticatedState;
  if (state.graphqlContext) return;

  const key = keyFromHeaders((name) => ctx.get(name) || null);
  const contextValue = await createContext(deps, key);
  const { quota } = contextValue;
  if (!quota) throw unauthorized();
  ctx.set(rateLimitHeaders(quota));
  state.graphqlContext = { ...contextValue, quota };
}

/**
 * Runs one named GraphQL operation in-process with the same schema and context as
 * /graphql, for the request {@link authenticate} let through.
 */
export async function runOperation<T>(
  ctx: Context,
  deps: ContextDeps,
  document: DocumentNode,
  operationName: string,
  variables: Record<string, unknown> = {},
): Promise<OperationOutcome<T>> {
  await authenticate(ctx, deps);
  const contextValue = (ctx.state as AuthenticatedState).graphqlContext;
  if (!contextValue) throw new Error('authenticate() left no context');
  const { quota } = contextValue;

  const result = await execute({
    schema,
    document,
    operationName,
    variableValues: variables,
    contextValue,
  });
  const firstError = result.errors?.[0];
  if (firstError) throw firstError;

  return {
    data: result.data as T,
    rateLimit: { limit: quota.limit, used: quota.used },
  };
}
