/** A JSON response as a test sees it. */
export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls the REST API with a key in the `Authorization` header (or none). */
export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers['authorization'] ??= `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }

  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : null,
  };
}

/** Runs a GraphQL operation over HTTP. */
export async function graphql<T = any>(
  baseUrl: string,
  key: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<
  JsonResponse<{
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
    extensions?: Record<string, unknown>;
  }>
> {
  return request(baseUrl, 'POST', '/graphql', { key, body: { query, variables } });
}
