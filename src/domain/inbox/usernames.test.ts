import { describe, expect, it } from 'vitest';

import { normaliseUsername, randomUsername } from './usernames';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('randomUsername', () => {
  it('reads like adjective.noun and four digits', () => {
    const names = Array.from({ length: 200 }, randomUsername);

    for (const name of names) expect(name).toMatch(/^[a-z]+\.[a-z]+\d{4}$/);
    expect(new Set(names).size).toBeGreaterThan(190);
  });
});

describe('normaliseUsername', () => {
  it('lower-cases and trims', () => {
    expect(normaliseUsername('  QA.Signup-01_x ')).toBe('qa.signup-01_x');
  });

  it.each(['', '.lead', 'trail.', 'dou..ble', 'sp ace', 'ümlaut', 'a+b', 'x'.repeat(65)])(
    'refuses %j with INVALID_USERNAME',
    (input) => {
      expect(codeOf(() => normaliseUsername(input))).toBe('INVALID_USERNAME');
    },
  );

  it.each(['postmaster', 'Abuse', 'mailer-daemon'])('refuses the reserved name %j', (input) => {
    expect(codeOf(() => normaliseUsername(input))).toBe('INVALID_USERNAME');
  });

  it('accepts 64 characters', () => {
    expect(normaliseUsername('a'.repeat(64))).toBe('a'.repeat(64));
  });
});
