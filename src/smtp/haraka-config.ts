import fs from 'node:fs/promises';
import path from 'node:path';

/** Settings for the Haraka config folder DustMail generates. */
export interface HarakaConfigOptions {
  /** Folder to write; Haraka is started with `-c <dir>`. */
  dir: string;
  /** Interface the SMTP listener binds. */
  host: string;
  port: number;
  /** Largest message accepted, advertised as SIZE. */
  maxMessageBytes: number;
  /** pino level of the parent process; mapped onto Haraka's levels. */
  logLevel: string;
  /** Compiled plugin entry. @default dist/haraka-plugins/dustmail.js */
  pluginMain?: string;
}

/** One `.ini` section's keys to set, by section name; top-level keys are `main`. */
type IniValues = Readonly<Record<string, Readonly<Record<string, string>>>>;

const PLUGIN_NAME = 'dustmail';

/**
 * Haraka waits this long for open connections after SIGINT before exiting anyway.
 * Keep it below the supervisor's stop timeout.
 */
export const HARAKA_SHUTDOWN_SECONDS = 10;

/**
 * How long a hook of our plugin may take before Haraka gives up on it. A storing queue
 * hook that outlives it would be answered 4xx while its transaction might still commit,
 * and the sender's retry would store the message twice; the database limits below keep
 * every store well inside it.
 */
export const PLUGIN_TIMEOUT_SECONDS = 90;
/**
 * A store not ready to commit this long after the queue hook began is rolled back and
 * answered 451. The margin leaves the COMMIT itself, which statement_timeout does not
 * reliably cut short, time to finish before Haraka answers for the hook.
 */
export const PLUGIN_COMMIT_DEADLINE_SECONDS = PLUGIN_TIMEOUT_SECONDS - 15;
/**
 * Messages parsed and stored at once. Parsing runs on the one main thread and holds decoded
 * copies of the message, so more at once only adds memory (tens of MB per large message)
 * and waits for pooled connections; the rest wait their turn within the commit deadline.
 */
export const PLUGIN_STORE_CONCURRENCY = 4;
/** The plugin's database limits: each statement, and the wait for a pooled connection. */
export const PLUGIN_STATEMENT_TIMEOUT_MS = 10_000;
export const PLUGIN_ACQUIRE_TIMEOUT_MS = 10_000;

const HARAKA_LEVELS: Readonly<Record<string, string>> = {
  // DATA would log every line of every message body.
  trace: 'protocol',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'crit',
  silent: 'emerg',
};

/** The installed Haraka package folder. */
export function harakaPackageDir(): string {
  return path.dirname(require.resolve('Haraka/package.json'));
}

function defaultPluginMain(): string {
  // Compiled, this module sits in dist/src/smtp and the plugin in dist/haraka-plugins.
  // Run from sources (vitest), it sits in src/smtp and the plugin is the built copy.
  const compiledRoot = path.resolve(__dirname, '../..');
  const root =
    path.basename(compiledRoot) === 'dist' ? compiledRoot : path.join(compiledRoot, 'dist');
  return path.join(root, 'haraka-plugins', `${PLUGIN_NAME}.js`);
}

function listenAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Sets keys in `.ini` text, keeping every other line and comment. A key is replaced
 * where it is set already, otherwise added at the top of its section.
 */
export function setIniValues(text: string, values: IniValues): string {
  const lines = text.split('\n');
  const pending = new Map(
    Object.entries(values).map(([s, kv]) => [s, new Map(Object.entries(kv))]),
  );
  const sectionLine = new Map<string, number>();
  let section = 'main';

  lines.forEach((line, index) => {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header?.[1] !== undefined) {
      section = header[1].trim();
      sectionLine.set(section, index);
      return;
    }
    const key = /^\s*([^\s;#=][^=]*?)\s*=/.exec(line)?.[1];
    const wanted = pending.get(section);
    const value = key === undefined ? undefined : wanted?.get(key);
    if (key !== undefined && value !== undefined) {
      lines[index] = `${key}=${value}`;
      wanted?.delete(key);
    }
  });

  const inserts: { after: number; text: string[] }[] = [];
  const appended: string[] = [];
  for (const [name, keys] of pending) {
    if (keys.size === 0) continue;
    const assignments = [...keys].map(([key, value]) => `${key}=${value}`);
    const at = sectionLine.get(name);
    if (at !== undefined) inserts.push({ after: at, text: assignments });
    else if (name === 'main') inserts.push({ after: -1, text: assignments });
    else appended.push('', `[${name}]`, ...assignments);
  }
  for (const insert of inserts.sort((a, b) => b.after - a.after)) {
    lines.splice(insert.after + 1, 0, ...insert.text);
  }
  return [...lines, ...appended].join('\n');
}

async function editIni(file: string, values: IniValues): Promise<void> {
  const text = await fs.readFile(file, 'utf8');
  await fs.writeFile(file, setIniValues(text, values));
}

/**
 * Writes the Haraka config folder DustMail runs with: Haraka's full default config
 * (a partial file replaces a default rather than merging with it), our listener, size
 * limit and logging, no plugin but ours, and no outbound delivery.
 */
export async function writeHarakaConfig(options: HarakaConfigOptions): Promise<void> {
  const pluginMain = path.resolve(options.pluginMain ?? defaultPluginMain());
  try {
    await fs.access(pluginMain);
  } catch (err) {
    throw new Error(`Haraka plugin not found at ${pluginMain}; run npm run build`, { cause: err });
  }

  const configDir = path.join(options.dir, 'config');
  const pluginDir = path.join(options.dir, 'plugins', PLUGIN_NAME);
  // The folder is generated: clear what an earlier run wrote so no stale file survives.
  await fs.rm(configDir, { recursive: true, force: true });
  await fs.rm(path.join(options.dir, 'plugins'), { recursive: true, force: true });
  await fs.cp(path.join(harakaPackageDir(), 'config'), configDir, { recursive: true });
  await fs.mkdir(pluginDir, { recursive: true });

  const config = (name: string): string => path.join(configDir, name);
  await editIni(config('smtp.ini'), {
    main: {
      listen: listenAddress(options.host, options.port),
      // One process: the supervisor runs more processes itself when it needs them.
      nodes: '0',
      graceful_shutdown: 'true',
      force_shutdown_timeout: String(HARAKA_SHUTDOWN_SECONDS),
    },
  });
  await editIni(config('connection.ini'), {
    max: {
      bytes: String(options.maxMessageBytes),
      // Haraka wraps longer DATA lines by inserting CRLF-space (Sendmail's habit), which
      // changes the message; a line may be as long as the whole message instead.
      data_line_length: String(options.maxMessageBytes + 2),
    },
    // Plain, fixed replies instead of Haraka's chatty defaults.
    message: { helo: 'DustMail at your service', close: 'closing connection' },
  });
  await editIni(config('outbound.ini'), { main: { disabled: 'true' } });
  // No TLS is offered; empty names stop Haraka logging an error for its missing default
  // certificate on every start.
  await editIni(config('tls.ini'), { main: { key: '', cert: '' } });
  await editIni(config('log.ini'), {
    main: { level: HARAKA_LEVELS[options.logLevel] ?? 'info', format: 'json', timestamps: 'false' },
  });
  await fs.writeFile(config('plugins'), `${PLUGIN_NAME}\n`);
  await fs.writeFile(config(`${PLUGIN_NAME}.timeout`), `${PLUGIN_TIMEOUT_SECONDS}\n`);
  await fs.writeFile(
    config(`${PLUGIN_NAME}.ini`),
    [
      '[main]',
      "; Disable Nagle's algorithm on client sockets so pipelined replies leave at once.",
      'no_delay=true',
      "; Look up the client's reverse DNS name (only used in the Received header).",
      'reverse_dns=false',
      '',
    ].join('\n'),
  );
  // A plugin folder with a package.json is loaded with a plain require (no sandbox),
  // so the compiled plugin can import the application's modules from dist/.
  await fs.writeFile(
    path.join(pluginDir, 'package.json'),
    `${JSON.stringify({ name: PLUGIN_NAME, private: true, main: pluginMain }, null, 2)}\n`,
  );
}
