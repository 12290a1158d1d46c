import pLimit from 'p-limit';

import type { Config } from '../src/config/env';
import { loadConfig } from '../src/config/env';
import { openOrm, type Orm } from '../src/db/orm';
import { checkRecipient } from '../src/domain/mail/check-recipient';
import type { Envelope } from '../src/domain/mail/envelope';
import { ingestMessage } from '../src/domain/mail/ingest-message';
import {
  PLUGIN_ACQUIRE_TIMEOUT_MS,
  PLUGIN_COMMIT_DEADLINE_SECONDS,
  PLUGIN_STATEMENT_TIMEOUT_MS,
  PLUGIN_STORE_CONCURRENCY,
} from '../src/smtp/haraka-config';
import { RawCapture } from './raw-capture';

// Haraka and haraka-constants ship no types: these interfaces cover what the plugin uses.

interface HarakaConstants {
  readonly cont: number;
  readonly deny: number;
  readonly denysoft: number;
  readonly ok: number;
}

interface HarakaAddress {
  /** `user@host`; empty for the null sender `<>`. */
  readonly address: string;
}

interface HarakaTransaction {
  readonly mail_from: HarakaAddress | null;
  readonly rcpt_to: readonly HarakaAddress[];
  readonly data_bytes: number;
  /** Set, Haraka keeps no copy of the message in its own stream. */
  discard_data: boolean;
  /** Called by Haraka with each DATA line in wire form (dot-stuffed, with its CRLF). */
  add_data(line: Buffer): void;
}

interface HarakaConnection {
  readonly remote: { readonly ip: string };
  readonly hello: { readonly host: string | null };
  readonly transaction: HarakaTransaction | null;
  /** The text of the Received header Haraka would add, without the name. */
  received_line(): string;
  /** Haraka's wrapper around the client socket; its own setNoDelay does nothing. */
  readonly client: { readonly targetsocket?: { setNoDelay(noDelay?: boolean): unknown } };
  respond(code: number, message: string, done?: () => void): void;
  reset_transaction(done?: () => void): void;
  max_data_exceeded_respond(retval: number): void;
  logdebug(...args: unknown[]): void;
  loginfo(...args: unknown[]): void;
  logwarn(...args: unknown[]): void;
  logerror(...args: unknown[]): void;
}

interface IniFile {
  readonly main: Readonly<Record<string, unknown>>;
}

interface HarakaPlugin {
  readonly config: {
    get(name: string, options: { booleans: string[] }, onChange: () => void): IniFile;
  };
  loginfo(...args: unknown[]): void;
  logerror(...args: unknown[]): void;
}

/**
 * A reply whose code Haraka must use as is. Haraka's respond() recognises such an object
 * by its constructor name and takes `code` from it instead of deriving one from the hook's
 * return value (DENYSOFT alone gives 450).
 */
class DSN {
  constructor(
    readonly code: number,
    readonly reply: string,
  ) {}
}

type Next = (retval?: number, message?: DSN) => void;

/** Haraka-only settings from `dustmail.ini`. */
interface Settings {
  noDelay: boolean;
  reverseDns: boolean;
}

// Loaded with require: the package has no type declarations to import.
const {
  cont: CONT,
  deny: DENY,
  denysoft: DENYSOFT,
  ok: OK,
} = require('haraka-constants') as HarakaConstants;

const REPLY = {
  mailboxUnavailable: new DSN(550, '5.1.1 Mailbox unavailable'),
  relayDenied: new DSN(550, '5.7.1 Relaying denied'),
  tooBig: new DSN(552, '5.3.4 Message size exceeds fixed maximum message size'),
  tryLater: new DSN(451, '4.3.0 Temporary local problem, try again later'),
} as const;

const ERROR_TEXT_CHARS = 200;
const PARENT_CHECK_MS = 1000;
const ERROR_STACK_FRAMES = 8;

let settings: Settings = { noDelay: true, reverseDns: false };
let appConfig: Config | undefined;
let ormPromise: Promise<Orm> | undefined;
/** Hooks using the database right now; at shutdown the pool closes once none is left. */
let ormUsers = 0;
let shuttingDown = false;
/** The queue of messages waiting for one of the PLUGIN_STORE_CONCURRENCY store slots. */
const storing = pLimit(PLUGIN_STORE_CONCURRENCY);

function loadSettings(plugin: HarakaPlugin): void {
  const ini = plugin.config.get(
    'dustmail.ini',
    { booleans: ['+main.no_delay', '-main.reverse_dns'] },
    () => loadSettings(plugin),
  );
  settings = {
    noDelay: ini.main['no_delay'] === true,
    reverseDns: ini.main['reverse_dns'] === true,
  };
}

function requireConfig(): Config {
  if (!appConfig) throw new Error('dustmail plugin used before register()');
  return appConfig;
}

/** Opens the ORM on first use; a failed attempt is forgotten so the next hook retries. */
function getOrm(): Promise<Orm> {
  const { databaseUrl } = requireConfig();
  if (!databaseUrl) return Promise.reject(new Error('DATABASE_URL is not set'));
  const limits = {
    statementTimeoutMs: PLUGIN_STATEMENT_TIMEOUT_MS,
    acquireTimeoutMs: PLUGIN_ACQUIRE_TIMEOUT_MS,
  };
  ormPromise ??= openOrm(databaseUrl, limits).catch((err: unknown) => {
    ormPromise = undefined;
    throw err;
  });
  return ormPromise;
}

/**
 * Runs work with the ORM, counted so that shutdown leaves the pool open until it is done:
 * Haraka asks plugins to shut down as soon as it stops listening, while messages whose DATA
 * has ended are still being stored.
 */
async function usingOrm<T>(plugin: HarakaPlugin, work: (orm: Orm) => Promise<T>): Promise<T> {
  ormUsers += 1;
  try {
    return await work(await getOrm());
  } finally {
    ormUsers -= 1;
    if (shuttingDown) closeOrmIfIdle(plugin);
  }
}

/** Closes the pool when no hook uses it; a hook that comes later opens a new one. */
function closeOrmIfIdle(plugin: HarakaPlugin): void {
  if (ormUsers > 0) return;
  const pending = ormPromise;
  ormPromise = undefined;
  pending
    ?.then((orm) => orm.close())
    .catch((err: unknown) => plugin.logerror(plugin, 'closing the database failed', errField(err)));
}

/** The raw message of each transaction in DATA; gone with the transaction. */
const captures = new WeakMap<HarakaTransaction, RawCapture>();
/** The SIZE each transaction's sender declared in MAIL FROM, which sizes its capture. */
const declaredSizes = new WeakMap<HarakaTransaction, number>();

function senderDomain(mailFrom: string): string {
  return mailFrom.slice(mailFrom.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * The error as a log field. The message is cut short: driver errors quote the failed
 * query, and with it the message being stored.
 */
function errField(err: unknown): { err: Record<string, unknown> } {
  if (!(err instanceof Error)) return { err: { message: String(err).slice(0, ERROR_TEXT_CHARS) } };
  const { code } = err as { code?: unknown };
  const message = err.message.slice(0, ERROR_TEXT_CHARS);
  const frames = err.stack?.split('\n').filter((line) => line.startsWith('    at ')) ?? [];
  return {
    err: {
      name: err.name,
      code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
      message,
      stack: [`${err.name}: ${message}`, ...frames.slice(0, ERROR_STACK_FRAMES)].join('\n'),
    },
  };
}

/**
 * Haraka runs in a process group of its own, so a parent killed outright (SIGKILL, OOM)
 * would leave it holding the SMTP port. When the parent is gone, Haraka shuts itself down
 * the graceful way: transactions in flight finish first.
 */
function stopWhenOrphaned(plugin: HarakaPlugin, parentPid: number | undefined): void {
  if (parentPid === undefined) return;
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(timer);
    plugin.logerror(plugin, 'the DustMail process that started Haraka is gone; stopping');
    process.kill(process.pid, 'SIGINT');
  }, PARENT_CHECK_MS);
  timer.unref();
}

/** Reads the settings and the shared configuration; the database opens on first use. */
export function register(this: HarakaPlugin): void {
  loadSettings(this);
  appConfig = loadConfig();
  if (!appConfig.databaseUrl) {
    // Fail at start-up rather than answering 451 to every sender.
    throw new Error('dustmail plugin needs DATABASE_URL');
  }
  stopWhenOrphaned(this, appConfig.parentPid);
}

/**
 * Called by Haraka when a graceful shutdown begins. The pool closes once the messages being
 * stored are committed; closing it lets the process exit.
 */
export function shutdown(this: HarakaPlugin): void {
  shuttingDown = true;
  closeOrmIfIdle(this);
}

export function hook_connect_init(this: HarakaPlugin, next: Next, connection: HarakaConnection) {
  try {
    // Haraka leaves Nagle's algorithm on, which stalls a pipelining client about 40 ms
    // per reply.
    if (settings.noDelay) connection.client.targetsocket?.setNoDelay(true);
  } catch (err) {
    connection.logwarn(this, 'could not disable Nagle on the client socket', errField(err));
  }
  next();
}

export function hook_lookup_rdns(this: HarakaPlugin, next: Next) {
  // OK without a name makes Haraka skip its reverse lookup and show the host as Unknown.
  // Nothing here decides on the name, and the lookup would delay every greeting.
  next(settings.reverseDns ? CONT : OK);
}

async function decideRecipient(
  connection: HarakaConnection,
  plugin: HarakaPlugin,
  address: string,
): Promise<[number, DSN?]> {
  const verdict = await usingOrm(plugin, (orm) =>
    checkRecipient(orm.em.fork(), requireConfig(), address),
  );
  if (verdict === 'accept') {
    connection.logdebug(plugin, 'recipient accepted');
    return [OK];
  }
  connection.loginfo(plugin, 'recipient rejected', { reason: verdict });
  return [DENY, verdict === 'unknown-mailbox' ? REPLY.mailboxUnavailable : REPLY.relayDenied];
}

export function hook_mail(
  this: HarakaPlugin,
  next: Next,
  connection: HarakaConnection,
  params: readonly [HarakaAddress, Readonly<Record<string, string | null>>?],
) {
  try {
    const size = Number(params[1]?.['SIZE']);
    // Haraka refused a SIZE over the maximum already; the check keeps the capture bounded.
    const plausible = Number.isSafeInteger(size) && size > 0;
    if (connection.transaction && plausible && size <= requireConfig().maxMessageBytes) {
      declaredSizes.set(connection.transaction, size);
    }
  } catch (err) {
    // Only a hint: without it the capture grows as the message arrives.
    connection.logwarn(this, 'could not read the declared SIZE', errField(err));
  }
  next();
}

export function hook_rcpt(
  this: HarakaPlugin,
  next: Next,
  connection: HarakaConnection,
  params: readonly [HarakaAddress, ...unknown[]],
) {
  Promise.resolve()
    .then(() => decideRecipient(connection, this, params[0].address))
    .then(
      ([retval, reply]) => next(retval, reply),
      (err: unknown) => {
        connection.logerror(this, 'recipient check failed', errField(err));
        next(DENYSOFT, REPLY.tryLater);
      },
    )
    .catch((err: unknown) => connection.logerror(this, 'rcpt reply failed', errField(err)));
}

export function hook_max_data_exceeded(
  this: HarakaPlugin,
  next: Next,
  connection: HarakaConnection,
) {
  try {
    connection.loginfo(this, 'message rejected', {
      reason: 'too-big',
      sizeBytes: connection.transaction?.data_bytes,
    });
    // WORKAROUND(https://github.com/haraka/Haraka/blob/v3.3.4/connection.js#L1735): Haraka
    // answers a message over [max] bytes with a fixed "550 Message too big!" whatever the
    // hook returns; RFC 1870 §4 asks for 552. Delete once Haraka takes the plugin's reply.
    connection.max_data_exceeded_respond = () => {
      connection.respond(REPLY.tooBig.code, REPLY.tooBig.reply, () => {
        connection.reset_transaction();
      });
    };
  } catch (err) {
    connection.logerror(this, 'could not set the size reply', errField(err));
  }
  next(DENY, REPLY.tooBig);
}

/**
 * Starts capturing the message's bytes as they arrive. Wrapping the transaction's
 * add_data is the only place that sees each line before Haraka rewrites it.
 */
export function hook_data(this: HarakaPlugin, next: Next, connection: HarakaConnection) {
  try {
    const transaction = connection.transaction;
    if (!transaction) throw new Error('data hook ran without a transaction');
    const received = `Received: ${connection.received_line()}\r\n`;
    const capture = new RawCapture(received, declaredSizes.get(transaction));
    const addData = transaction.add_data.bind(transaction);
    transaction.add_data = (line: Buffer) => {
      capture.add(line);
      addData(line);
    };
    transaction.discard_data = true;
    captures.set(transaction, capture);
    next();
  } catch (err) {
    connection.logerror(this, 'could not start capturing the message', errField(err));
    next(DENYSOFT, REPLY.tryLater);
  }
}

/** Stores the message for every live recipient inbox; returns how many stored it. */
async function storeMessage(connection: HarakaConnection, plugin: HarakaPlugin): Promise<number> {
  const started = Date.now();
  const transaction = connection.transaction;
  if (!transaction) throw new Error('queue hook ran without a transaction');

  const envelope: Envelope = {
    mailFrom: transaction.mail_from?.address ?? '',
    rcptTo: transaction.rcpt_to.map((rcpt) => rcpt.address),
    clientIp: connection.remote.ip,
    helo: connection.hello.host ?? '',
  };
  const raw = captures.get(transaction)?.take();
  if (!raw) throw new Error('queue hook ran without a captured message');
  const commitBy = new Date(started + PLUGIN_COMMIT_DEADLINE_SECONDS * 1000);
  const { events } = await usingOrm(plugin, (orm) =>
    storing(() => ingestMessage(orm, envelope, raw, new Date(), commitBy)),
  );

  connection.loginfo(plugin, 'message stored', {
    senderDomain: senderDomain(envelope.mailFrom),
    rcptCount: envelope.rcptTo.length,
    storedCount: events.length,
    sizeBytes: raw.length,
    durationMs: Date.now() - started,
  });
  return events.length;
}

export function hook_queue(this: HarakaPlugin, next: Next, connection: HarakaConnection) {
  Promise.resolve()
    .then(() => storeMessage(connection, this))
    .then(
      // Every recipient inbox was deleted or expired between RCPT and the end of DATA:
      // nothing was stored, so the sender must not see 250.
      (storedCount) => (storedCount > 0 ? next(OK) : next(DENY, REPLY.mailboxUnavailable)),
      (err: unknown) => {
        connection.logerror(this, 'storing the message failed', errField(err));
        // CONT from the only queue plugin makes Haraka answer 451 (not queued, try later);
        // DENYSOFT would answer 450, which RFC 5321 §4.2.3 reserves for an unavailable
        // mailbox rather than a local error.
        next(CONT, REPLY.tryLater);
      },
    )
    .catch((err: unknown) => connection.logerror(this, 'queue reply failed', errField(err)));
}
