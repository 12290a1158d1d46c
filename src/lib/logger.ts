import pino from 'pino';

import type { Config } from '../config/env';

export type Logger = pino.Logger;

/** The root logger: JSON lines, or pretty output when asked for on a terminal. */
export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>): Logger {
  const transport = config.logPretty
    ? { target: 'pino-pretty', options: { colorize: true } }
    : undefined;

  return pino({ level: config.logLevel, base: { pid: process.pid }, transport });
}
