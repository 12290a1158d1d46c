/**
 * A copy of a value with every string in it made storable in PostgreSQL: U+0000 removed, and
 * each lone UTF-16 surrogate replaced by U+FFFD. Text and jsonb cannot hold the first, and
 * jsonb refuses the second, yet a legal message can carry either (a NUL in quoted-printable,
 * base64, an encoded word or a raw byte; half a pair in a UTF-16 encoded word). Buffers and
 * dates are kept as they are.
 */
export function toStorableText<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\0', '').toWellFormed() as T;
  if (Array.isArray(value)) return value.map(toStorableText) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = toStorableText(field);
  return copy as T;
}
