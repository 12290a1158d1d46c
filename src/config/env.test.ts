import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from './env';

describe('loadConfig', () => {
  it('gives every setting its default on an empty environment', () => {
    const config = loadConfig({});

    expect(config).toMatchObject({
      databaseUrl: undefined,
      http: { host: '127.0.0.1', port: 3000 },
      smtp: { host: '127.0.0.1', port: 2525 },
      domains: ['dustmail.net'],
      primaryDomain: 'dustmail.net',
      maxMessageBytes: 10 * 1024 * 1024,
      plans: {
        free: { dailyRequests: 100, inboxTtlSeconds: 1800 },
        premium: { dailyRequests: null, inboxTtlSeconds: 365 * 24 * 3600 },
      },
    });
  });

  it('reads shared domains primary first, lower-cased, Unicode names in IDNA form', () => {
    const config = loadConfig({ DUSTMAIL_DOMAINS: ' Mail.Example , bücher.example ,' });

    expect(config.domains).toEqual(['mail.example', 'xn--bcher-kva.example']);
    expect(config.primaryDomain).toBe('mail.example');
  });

  it('reports every bad setting at once', () => {
    let caught: unknown;
    try {
      loadConfig({ HTTP_PORT: 'http', DUSTMAIL_MAX_MESSAGE_BYTES: '-5', DUSTMAIL_ROLE: 'both' });
    } catch (err) {
      caught = err;
    }

    expect(caught).toBeInstanceOf(ConfigError);
    const keys = (caught as ConfigError).problems.map((problem) => problem.split(':')[0]);
    expect(keys.sort()).toEqual(['DUSTMAIL_MAX_MESSAGE_BYTES', 'DUSTMAIL_ROLE', 'HTTP_PORT']);
  });
});
