/**
 * A copy of a value with U+0000 removed from every string in it. PostgreSQL text and
 * jsonb cannot hold that character, and a legal message can carry it (quoted-printable,
 * base64, an encoded word, or a raw byte). Buffers and dates are kept as they are.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\0', '') as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = withoutNul(field);
  return copy as T;
}
