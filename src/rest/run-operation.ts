import { type DocumentNode, execute } from 'graphql';
import type { Context } from 'koa';

import { type ContextDeps, createContext, keyFromHeaders, unauthorized } from '../graphql/context';
import { type ClientError, toClientError } from '../graphql/errors';
import { rateLimitHeaders } from '../graphql/rate-limit-headers';
import { schema } from '../schema';

/** Raised by a route to answer with an error body; carries the client form. */
export class RestError extends Error {
  constructor(readonly client: ClientError) {
    super(client.message);
  }
}

/** The result of one operation run for a REST route. */
export interface OperationOutcome<T> {
  data: T;
  rateLimit: { limit: number | null; used: number };
}

/**
 * Authenticates the request, counts it against the quota, then runs one named GraphQL
 * operation in-process with the same schema and context as /graphql.
 */
export async function runOperation<T>(
  ctx: Context,
  deps: ContextDeps,
  document: DocumentNode,
  operationName: string,
  variables: Record<string, unknown> = {},
): Promise<OperationOutcome<T>> {
  const log = deps.log.child({ component: 'rest' });
  const key = keyFromHeaders((name) => ctx.get(name) || null);

  let contextValue;
  try {
    contextValue = await createContext(deps, key);
  } catch (err) {
    throw new RestError(toClientError(err, log));
  }
  const { quota } = contextValue;
  if (!quota) throw new RestError(toClientError(unauthorized(), log));
  ctx.set(rateLimitHeaders(quota));

  const result = await execute({
    schema,
    document,
    operationName,
    variableValues: variables,
    contextValue,
  });
  const firstError = result.errors?.[0];
  if (firstError) throw new RestError(toClientError(firstError, log));

  return {
    data: result.data as T,
    rateLimit: { limit: quota.limit, used: quota.used },
  };
}
