import type { Context } from 'koa';
import getRawBody from 'raw-body';

import { AppError } from '../lib/errors';

function hasBody(ctx: Context): boolean {
  const length = ctx.get('content-length');
  if (length) return Number(length) > 0;
  return Boolean(ctx.get('transfer-encoding'));
}

/**
 * Reads an optional JSON body: absent or empty gives undefined; a non-JSON type is 415,
 * too large is 413, unparsable is 400 INVALID_JSON.
 */
export async function readJsonBody(ctx: Context, maxBytes: number): Promise<unknown> {
  if (!hasBody(ctx)) return undefined;
  if (!ctx.is('application/json', '+json')) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be application/json');
  }

  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: maxBytes, encoding: 'utf8' });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      throw new AppError('PAYLOAD_TOO_LARGE', `Request bodies are limited to ${maxBytes} bytes`);
    }
    throw new AppError('INVALID_JSON', 'The request body could not be read');
  }

  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('INVALID_JSON', 'The request body is not valid JSON');
  }
}
