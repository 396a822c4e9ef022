/**
 * @suitkaise/core: class-based workers for browsers and Node from one source file.
 * @packageDocumentation
 */
import './builtins.ts';
import './process/supervisor.ts';

export { Skprocess, type ProcessHooks, type ProcessConfig, type ProcessTimeouts } from './process/index.ts';
export { sk, onUncaught, type SkClass, type SkFunction, type SkClassDecorator } from './runtime/index.ts';
export { Sktimer, ProcessTimers, type SktimerStatistics, type SktimerState, type ProcessTimersState } from './timing/index.ts';
export { Pipe, type PipePairOptions, type PipeRole } from './pipe/index.ts';
export {
  Pool, type PoolOptions, type MapOptions, type PoolMethods, type PoolMap, type PoolMapInBackground, type PoolIterate,
  type PoolIterateInBackground, type PoolItems, type Mappable, type PoolFunction, type PoolProcessClass, type ArgsOf,
  type ResultOf, type ItemOf,
} from './pool/index.ts';
export { Share, type ShareConstructor, type ShareMethods } from './share/index.ts';
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
