/**
 * @suitkaise/core: class-based workers for browsers and Node from one source file.
 * @packageDocumentation
 */
import './builtins.ts';
import './supervisor.ts';

export { Skprocess, type ProcessHooks } from './process.ts';
export type { ProcessConfig, ProcessTimeouts } from './config.ts';
export { sk, type SkClass, type SkFunction, type SkClassDecorator } from './sk.ts';
export { Sktimer, ProcessTimers } from './timing.ts';
export { Pipe, type PipePairOptions, type PipeRole } from './pipe.ts';
export { Pool } from './pool/pool.ts';
export { onUncaught } from './uncaught.ts';
export type {
  PoolOptions, MapOptions, PoolMethods, PoolMap, PoolMapInBackground, PoolIterate, PoolIterateInBackground, PoolItems,
  Mappable, PoolFunction, PoolProcessClass, ArgsOf, ResultOf, ItemOf,
} from './pool/types.ts';
export { Share, type ShareConstructor, type ShareMethods } from './share.ts';
export type { SktimerStatistics, SktimerState, ProcessTimersState } from './timing.ts';
export type { Future, Modifiable, Backgrounded, Modifiers, Listen, BackgroundedListen } from './modifiers.ts';
export { cucumber, type SerializedValue } from './serializer/index.ts';
export { autoreconnect, Reconnector, ReconnectError } from './reconnect/index.ts';
export type {
  AutoreconnectOptions, ReconnectCredential, DetailValue, ReconnectAuth, ReconnectAuthEntry, ReconnectCredentials,
  ReconnectorDetails, ReconnectorSpec, Reconnected,
} from './reconnect/index.ts';
export {
  ProcessError,
  PreRunError,
  RunError,
  PostRunError,
  OnFinishError,
  ResultError,
  ErrorHandlerError,
  ProcessTimeoutError,
  ResultTimeoutError,
  PipeEndpointError,
  SerializationError,
  type Section,
  type ProcessErrorOptions,
} from './errors.ts';
