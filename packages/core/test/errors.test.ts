// The error classes: their names, as users see them printed and as they compare them.
import { describe, expect, it } from 'vitest';
import {
  ErrorHandlerError, OnFinishError, PipeEndpointError, PostRunError, PreRunError, ProcessError, ProcessTimeoutError, ResultError,
  ResultTimeoutError, RunError, SerializationError,
} from '@suitkaise/core';

describe('error classes', () => {
  it.each([
    ['PreRunError', PreRunError], ['RunError', RunError], ['PostRunError', PostRunError], ['OnFinishError', OnFinishError],
    ['ResultError', ResultError], ['ErrorHandlerError', ErrorHandlerError],
  ] as const)('%s is named by its class and its instances', (name, cls) => {
    expect(cls.name).toBe(name);
    const error = new cls(new TypeError('boom'), 2);
    expect(error.constructor.name).toBe(name);
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(ProcessError);
    expect(String(error)).toMatch(new RegExp(`^${name}: __\\w+__ failed on run 2: TypeError: boom$`));
  });

  it('the other errors are named by their class too', () => {
    for (const cls of [ProcessError, ProcessTimeoutError, ResultTimeoutError, PipeEndpointError, SerializationError]) {
      expect(cls.prototype.name).toBe(cls.name);
    }
  });
});
