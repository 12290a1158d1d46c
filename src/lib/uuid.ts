/** A UUID as PostgreSQL and crypto.randomUUID write it: lower-case hex, 8-4-4-4-12. */
export const LOWER_CASE_UUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/;

/** Whether an id a client gave is a UUID, in either letter case. */
export function isUuid(id: string): boolean {
  return LOWER_CASE_UUID.test(id.toLowerCase());
}
