import { describe, expect, it } from 'vitest';

import { isWellFormedKey } from './api-keys';

describe('isWellFormedKey', () => {
  it('takes dm_live_ and 32 base62 characters only', () => {
    expect(isWellFormedKey(`dm_live_${'aZ09'.repeat(8)}`)).toBe(true);
    expect(isWellFormedKey(`dm_live_${'a'.repeat(31)}`)).toBe(false);
    expect(isWellFormedKey(`dm_live_${'a'.repeat(33)}`)).toBe(false);
    expect(isWellFormedKey(`dm_test_${'a'.repeat(32)}`)).toBe(false);
    expect(isWellFormedKey(`dm_live_${'a'.repeat(31)}-`)).toBe(false);
  });
});
