const REQUEST_TIMEOUT_MS = 15_000;

/** The fields of a created inbox the benchmark uses. */
export interface Inbox {
  id: string;
  email: string;
}

/** `POST /api/v1/inbox` with a random address on the primary domain. */
export async function createInbox(
  httpUrl: string,
  key: string,
  signal: AbortSignal,
): Promise<Inbox> {
  const response = await fetch(`${httpUrl}/api/v1/inbox`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
  });
  const text = await response.text();
  if (response.status !== 201) {
    throw new Error(`POST /api/v1/inbox answered ${response.status}: ${text.slice(0, 300)}`);
  }

  const data = (JSON.parse(text) as { data?: Partial<Inbox> }).data;
  if (typeof data?.id !== 'string' || typeof data.email !== 'string') {
    throw new Error(`POST /api/v1/inbox answered without data.id and data.email: ${text}`);
  }
  return { id: data.id, email: data.email };
}
