/** What one benchmark run does; each field is set by an argument or an env variable. */
export interface BenchOptions {
  /** Messages sent in the measured run (`--messages`, BENCH_MESSAGES). @default 2000 */
  messages: number;
  /** Parallel SMTP connections (`--connections`, BENCH_CONNECTIONS). @default 10 */
  connections: number;
  /** Body size of each message (`--body-bytes`, BENCH_BODY_BYTES). @default 2048 */
  bodyBytes: number;
  /** Wait for the last events after the last reply (`--settle-seconds`). @default 30 s */
  settleMs: number;
  /** Bound on the whole run, start and stop included (`--timeout-seconds`). @default 300 s */
  timeoutMs: number;
  /** Server for a scratch database; the embedded PostgreSQL when unset (DATABASE_URL). */
  databaseUrl: string | undefined;
}

/** Thrown for bad arguments or env values; lists every problem at once. */
export class OptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid benchmark options:\n  ${problems.join('\n  ')}\n${USAGE}`);
    this.name = 'OptionsError';
  }
}

interface Setting {
  flag: string;
  env: string;
  defaultValue: number;
  max: number;
}

const SETTINGS = {
  messages: { flag: '--messages', env: 'BENCH_MESSAGES', defaultValue: 2000, max: 100_000 },
  connections: { flag: '--connections', env: 'BENCH_CONNECTIONS', defaultValue: 10, max: 200 },
  bodyBytes: { flag: '--body-bytes', env: 'BENCH_BODY_BYTES', defaultValue: 2048, max: 1 << 20 },
  settleSeconds: {
    flag: '--settle-seconds',
    env: 'BENCH_SETTLE_SECONDS',
    defaultValue: 30,
    max: 600,
  },
  timeoutSeconds: {
    flag: '--timeout-seconds',
    env: 'BENCH_TIMEOUT_SECONDS',
    defaultValue: 300,
    max: 3600,
  },
} as const satisfies Record<string, Setting>;

type SettingName = keyof typeof SETTINGS;

const USAGE = [
  'Usage: npm run bench -- [--name value | --name=value]...',
  ...Object.values(SETTINGS).map(
    (s) => `  ${s.flag.padEnd(18)} or ${s.env.padEnd(22)} default ${s.defaultValue}`,
  ),
].join('\n');

/** Splits `--name value` and `--name=value` pairs; unknown names become problems. */
function readArgs(argv: readonly string[], problems: string[]): Map<string, string> {
  const byFlag = new Map<string, string>();
  const known = new Set<string>(Object.values(SETTINGS).map((s) => s.flag));
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag = '', inline] = arg.split(/=(.*)/s, 2);
    if (!known.has(flag)) {
      problems.push(`unknown argument ${JSON.stringify(arg)}`);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      i += 1;
      value = argv[i];
    }
    if (value === undefined) problems.push(`${flag} needs a value`);
    else byFlag.set(flag, value);
  }
  return byFlag;
}

function readInteger(name: SettingName, raw: string | undefined, problems: string[]): number {
  const setting = SETTINGS[name];
  if (raw === undefined || raw.trim() === '') return setting.defaultValue;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 1 && value <= setting.max) return value;
  const range = `an integer from 1 to ${setting.max}`;
  problems.push(`${setting.flag} (${setting.env}) must be ${range}, got ${JSON.stringify(raw)}`);
  return setting.defaultValue;
}

/** Reads the options; an argument wins over the env variable of the same setting. */
export function readOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const problems: string[] = [];
  const args = readArgs(argv, problems);
  const value = (name: SettingName): number =>
    readInteger(name, args.get(SETTINGS[name].flag) ?? env[SETTINGS[name].env], problems);

  const options: BenchOptions = {
    messages: value('messages'),
    connections: value('connections'),
    bodyBytes: value('bodyBytes'),
    settleMs: value('settleSeconds') * 1000,
    timeoutMs: value('timeoutSeconds') * 1000,
    databaseUrl: env['DATABASE_URL'] || undefined,
  };
  if (problems.length > 0) throw new OptionsError(problems);
  return options;
}
