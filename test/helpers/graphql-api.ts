import { expect } from 'vitest';

import { graphql } from './http';
import type { TestService } from './service';

/** The `extensions.code` of each error in a GraphQL result. */
export function errorCodes(body: {
  errors?: { extensions?: { code?: string } }[];
}): (string | undefined)[] {
  return (body.errors ?? []).map((e) => e.extensions?.code);
}

/** The body without the quota every authenticated result carries in its extensions. */
export function withoutQuota(body: { extensions?: Record<string, unknown> }): unknown {
  const { rateLimit, ...rest } = body.extensions ?? {};
  expect(rateLimit).toBeDefined();
  const copy: Record<string, unknown> = { ...body };
  if (Object.keys(rest).length > 0) copy['extensions'] = rest;
  else delete copy['extensions'];
  return copy;
}

/**
 * GraphQL calls against the service a test file starts in `beforeAll`; `service` is read at
 * each call, so the file can create these before the service exists.
 */
export function graphqlApi(service: () => TestService) {
  function gql<T = any>(
    key: string | undefined,
    query: string,
    variables: Record<string, unknown> = {},
  ) {
    return graphql<T>(service().httpUrl, key, query, variables);
  }

  async function createInbox(key: string): Promise<{ id: string; email: string }> {
    const created = await gql(key, 'mutation { createInbox { inbox { id email } } }');
    expect(created.body.errors).toBeUndefined();
    return created.body.data.createInbox.inbox;
  }

  return { gql, createInbox };
}
