// Values the API contract fixes, as a service started with the default settings shows them.

/** A timestamp as the API writes it: ISO 8601 in UTC, with milliseconds. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** An id as the API writes it. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The primary shared domain by default. */
export const PRIMARY = 'dustmail.net';

/** A second shared domain, for a service started with `DUSTMAIL_DOMAINS=PRIMARY,SPARE`. */
export const SPARE = 'spare.example';

/** The free plan's daily requests by default. */
export const FREE_DAILY_REQUESTS = 100;

/** A well-formed id that names nothing. */
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** When the daily quota starts again: the first midnight UTC after `now`. */
export function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}
