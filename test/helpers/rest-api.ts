import { expect } from 'vitest';

import { request, type JsonResponse } from './http';
import type { TestService } from './service';

/** The path of the inbox routes; api-v1.md lists them. */
export const INBOX = '/api/v1/inbox';

/** An inbox as the REST API shows it. */
export interface InboxJson {
  id: string;
  email: string;
  domain: string;
  created_at: string;
  expires_at: string;
}

/** An account made through the CLI, with its email and its key's id. */
export interface CreatedAccount {
  email: string;
  key: string;
  keyId: string;
}

/** The REST error body for a code; any message unless one is given. */
export function errorBody(code: string, message: unknown = expect.any(String)) {
  return { success: false, error: { code, message } };
}

/** The path of one email of an inbox. */
export function emailPath(inboxId: string, emailId: string): string {
  return `${INBOX}/${inboxId}/emails/${emailId}`;
}

/**
 * REST calls and account set-up against the service a test file starts in `beforeAll`;
 * `service` is read at each call, so the file can create these before the service exists.
 */
export function restApi(service: () => TestService) {
  let accountSeq = 0;

  function call(method: string, path: string, key?: string, body?: unknown): Promise<JsonResponse> {
    return request(service().httpUrl, method, path, { key, body });
  }

  /** A response whose body is bytes; errors are still JSON, read with `json()`. */
  async function fetchBytes(path: string, key?: string, method = 'GET') {
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    const response = await fetch(`${service().httpUrl}${path}`, { method, headers });
    const bytes = Buffer.from(await response.arrayBuffer());
    return {
      status: response.status,
      headers: response.headers,
      bytes,
      json: () => JSON.parse(bytes.toString('utf8')) as unknown,
    };
  }

  async function createInbox(key: string, body?: unknown): Promise<InboxJson> {
    const created = await call('POST', INBOX, key, body);
    expect(created.status).toBe(201);
    return created.body.data;
  }

  /** A new account made through the CLI; unlike createAccount, it keeps the email and key id. */
  async function newAccount(plan: 'free' | 'premium'): Promise<CreatedAccount> {
    accountSeq += 1;
    const email = `rest${accountSeq}.${process.pid}.${Date.now()}@example.test`;
    const created = await service().cli<{ api_key: { id: string; key: string } }>(
      'account',
      'create',
      '--email',
      email,
      '--plan',
      plan,
    );
    return { email, key: created.api_key.key, keyId: created.api_key.id };
  }

  /**
   * Today's request count of an account, read from the service's own database: once the quota
   * is spent the API shows no count (X-RateLimit-Remaining stays at 0 either way).
   */
  async function storedUsage(accountEmail: string): Promise<number> {
    const result = await service().sql<{ count: number }>(
      `select u."count" from "usage" u join "account" a on a."id" = u."account_id"
       where a."email" = $1 and u."day" = $2`,
      [accountEmail, new Date().toISOString().slice(0, 10)],
    );
    return result[0]?.count ?? 0;
  }

  return { call, fetchBytes, createInbox, newAccount, storedUsage };
}
