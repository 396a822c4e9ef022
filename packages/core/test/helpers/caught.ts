// The SerializationError a call throws: used by the serializer, process and Reconnector tests.
import { expect } from 'vitest';
import { SerializationError } from '../../src/errors.ts';

/** The SerializationError `fn` throws (never any other error). */
export function caught(fn: () => unknown): SerializationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SerializationError);
    return error as SerializationError;
  }
  throw new Error('expected a SerializationError');
}
