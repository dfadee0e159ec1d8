import { describe, expect, it } from 'vitest';
import { resolveTheme } from '../../../app/theme/theme';

describe('theme choice', () => {
  it('follows the system scheme for System and ignores it otherwise', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });
});
