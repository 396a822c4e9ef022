import { describe, expect, it } from 'vitest';
import { RunError, ProcessError } from '@suitkaise/core/internal';

describe('smoke', () => {
  it('builds errors', () => {
    const e = new RunError(new TypeError('boom'), 3);
    expect(e).toBeInstanceOf(ProcessError);
    expect(e.message).toBe('__run__ failed on run 3: TypeError: boom');
    expect(typeof SharedArrayBuffer).toBe('function');
  });
});
