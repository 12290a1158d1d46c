import path from 'node:path';
import { domainToASCII } from 'node:url';

import { z } from 'zod';

const MINUTE_SECONDS = 60;
const DAY_SECONDS = 24 * 60 * MINUTE_SECONDS;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

const domainList = z
  .string()
  // Unicode names (IDN) are kept in their IDNA ASCII form, as DNS and SMTP carry them.
  .transform((value) =>
    value
      .split(',')
      .map((d) => d.trim().toLowerCase())
      .filter(Boolean)
      .map((d) => domainToASCII(d) || d),
  )
  .pipe(
    z
      .array(z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)*[a-z0-9-]{1,63}$/, 'bad domain'))
      .min(1, 'at least one domain is required'),
  );

const serverList = z.string().transform((value) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Every setting DustMail reads, by environment variable name, with its default. */
const envSchema = z.object({
  /** PostgreSQL URL; when empty an embedded server is started in the data folder. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Folder for the embedded database and the generated Haraka config. @default .data */
  DUSTMAIL_DATA_DIR: z.string().min(1).default('.data'),
  /** Interface and port of the HTTP server (REST, GraphQL, web). */
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: port.default(3000),
  /** Interface and port of the SMTP server. */
  SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  SMTP_PORT: port.default(2525),
  /** Shared domains, primary first. @default dustmail.net */
  DUSTMAIL_DOMAINS: domainList.default(['dustmail.net']),
  /** Host that custom domains point their MX record at. @default the primary domain */
  DUSTMAIL_MX_HOST: z.string().optional(),
  /** DNS servers for custom-domain checks (ip or ip:port); empty uses the system's. */
  DUSTMAIL_DNS_SERVERS: serverList.default([]),
  /** Largest accepted message in bytes. @default 10 MiB */
  DUSTMAIL_MAX_MESSAGE_BYTES: positiveInt.default(10 * 1024 * 1024),
  /** Largest accepted JSON request body, and graphql-ws message, in bytes. @default 64 KiB */
  DUSTMAIL_MAX_BODY_BYTES: positiveInt.default(64 * 1024),
  /** Requests a free account may make per UTC day. @default 100 */
  DUSTMAIL_FREE_DAILY_REQUESTS: positiveInt.default(100),
  /** Lifetime of a free inbox in seconds. @default 1800 */
  DUSTMAIL_FREE_INBOX_TTL_SECONDS: positiveInt.default(30 * MINUTE_SECONDS),
  /** Lifetime of a premium inbox in seconds. @default 365 days */
  DUSTMAIL_PREMIUM_INBOX_TTL_SECONDS: positiveInt.default(365 * DAY_SECONDS),
  /** Seconds between sweeps that purge the mail of expired and deleted inboxes. @default 60 */
  DUSTMAIL_SWEEP_INTERVAL_SECONDS: positiveInt.default(60),
  /** Which parts this process runs: all, api or smtp. @default all */
  DUSTMAIL_ROLE: z.enum(['all', 'api', 'smtp']).default('all'),
  /** pino level. @default info */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Pretty log lines instead of JSON. @default false */
  DUSTMAIL_LOG_PRETTY: z.stringbool().default(false),
  /** Internal: set by `dustmail serve` for its Haraka child, which stops when it is gone. */
  DUSTMAIL_PARENT_PID: positiveInt.optional(),
});

export type Plan = 'free' | 'premium';

/** Per-plan limits. `dailyRequests` is null when unlimited. */
export interface PlanLimits {
  dailyRequests: number | null;
  inboxTtlSeconds: number;
}

/** The validated, frozen configuration every factory takes. */
export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  http: { host: string; port: number };
  smtp: { host: string; port: number };
  domains: readonly string[];
  primaryDomain: string;
  mxHost: string;
  dnsServers: readonly string[];
  maxMessageBytes: number;
  maxBodyBytes: number;
  plans: Readonly<Record<Plan, PlanLimits>>;
  /** Between sweeps of expired and deleted inboxes' mail. */
  sweepIntervalMs: number;
  role: 'all' | 'api' | 'smtp';
  logLevel: string;
  logPretty: boolean;
  /** The serve process that started this Haraka child, if any. */
  parentPid: number | undefined;
}

/** Thrown when the environment holds invalid settings; lists every bad key. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** A bad value as an error may quote it: a URL loses its password. */
function shownValue(key: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (key !== 'DATABASE_URL') return value;
  return value.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}

/** Reads and validates the environment once; reports all invalid keys together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      return `${key}: ${issue.message} (got ${JSON.stringify(shownValue(key, present[key]))})`;
    });
    throw new ConfigError(problems);
  }

  const e = parsed.data;
  const primaryDomain = e.DUSTMAIL_DOMAINS[0] ?? 'dustmail.net';

  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DUSTMAIL_DATA_DIR),
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    smtp: { host: e.SMTP_HOST, port: e.SMTP_PORT },
    domains: Object.freeze([...e.DUSTMAIL_DOMAINS]),
    primaryDomain,
    mxHost: e.DUSTMAIL_MX_HOST ?? primaryDomain,
    dnsServers: Object.freeze([...e.DUSTMAIL_DNS_SERVERS]),
    maxMessageBytes: e.DUSTMAIL_MAX_MESSAGE_BYTES,
    maxBodyBytes: e.DUSTMAIL_MAX_BODY_BYTES,
    plans: Object.freeze({
      free: {
        dailyRequests: e.DUSTMAIL_FREE_DAILY_REQUESTS,
        inboxTtlSeconds: e.DUSTMAIL_FREE_INBOX_TTL_SECONDS,
      },
      premium: { dailyRequests: null, inboxTtlSeconds: e.DUSTMAIL_PREMIUM_INBOX_TTL_SECONDS },
    }),
    sweepIntervalMs: e.DUSTMAIL_SWEEP_INTERVAL_SECONDS * 1000,
    role: e.DUSTMAIL_ROLE,
    logLevel: e.LOG_LEVEL,
    logPretty: e.DUSTMAIL_LOG_PRETTY,
    parentPid: e.DUSTMAIL_PARENT_PID,
  });
}
