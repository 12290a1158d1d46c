import { GraphQLError } from 'graphql';

import { RateLimitedError } from '../domain/account/quota';
import type { ErrorCode } from '../lib/error-codes';
import { ERROR_MAPPING, isErrorCode } from '../lib/error-mapping';
import { AppError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { rateLimitHeaders } from './rate-limit-headers';

/** An error as a client may see it. */
export interface ClientError {
  code: ErrorCode;
  message: string;
  status: number;
  headers: Record<string, string>;
}

const INTERNAL: Omit<ClientError, 'headers'> = {
  code: 'INTERNAL',
  message: 'Internal server error',
  status: ERROR_MAPPING.INTERNAL.httpStatus,
};

/** Codes for the HTTP errors yoga raises itself, by status; any other is VALIDATION_ERROR. */
const CODES_BY_YOGA_STATUS: Readonly<Record<number, ErrorCode>> = {
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

interface HttpExtension {
  status?: unknown;
  headers?: unknown;
}

/** A request problem found by graphql-js or yoga: its status and headers are kept. */
function requestProblem(error: GraphQLError): ClientError {
  const http = (error.extensions['http'] ?? {}) as HttpExtension;
  const status =
    typeof http.status === 'number' && http.status >= 400
      ? http.status
      : ERROR_MAPPING.VALIDATION_ERROR.httpStatus;
  const headers =
    http.headers && typeof http.headers === 'object'
      ? Object.fromEntries(
          Object.entries(http.headers).filter((entry): entry is [string, string] => {
            return typeof entry[1] === 'string';
          }),
        )
      : {};
  const code = CODES_BY_YOGA_STATUS[status] ?? 'VALIDATION_ERROR';
  return { code, message: error.message, status, headers };
}

function originalOf(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

/**
 * Turns any error into what a client may see. Errors raised on purpose keep their code and
 * message; anything else is logged once and masked as INTERNAL.
 */
export function toClientError(error: unknown, log: Logger): ClientError {
  const original = originalOf(error);
  if (original instanceof AppError && original.expose) {
    const headers =
      original instanceof RateLimitedError
        ? rateLimitHeaders(original.quota, original.retryAfterSeconds)
        : {};
    const status = ERROR_MAPPING[original.code].httpStatus;
    return { code: original.code, message: original.message, status, headers };
  }
  if (original instanceof GraphQLError && isErrorCode(original.extensions['code'])) {
    const code = original.extensions['code'];
    return { code, message: original.message, status: ERROR_MAPPING[code].httpStatus, headers: {} };
  }
  // A GraphQLError with no original error is a request problem (syntax, unknown field, bad
  // variable type, unsupported method or body) found by graphql-js or yoga; its message
  // names only the request.
  if (original instanceof GraphQLError && !original.originalError) return requestProblem(original);

  log.error({ err: original, code: 'INTERNAL' }, 'unexpected error');
  return { ...INTERNAL, headers: {} };
}

/** The GraphQL form of a client error: `extensions.code` plus the HTTP status for yoga. */
export function toGraphQLError(error: unknown, log: Logger): GraphQLError {
  const client = toClientError(error, log);
  const path = error instanceof GraphQLError ? error.path : undefined;
  const nodes = error instanceof GraphQLError ? error.nodes : undefined;
  return new GraphQLError(client.message, {
    path,
    nodes,
    extensions: { code: client.code, http: { status: client.status, headers: client.headers } },
  });
}
