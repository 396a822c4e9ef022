/**
 * Registers suitkaise's own classes with the serializer, on both sides of every worker boundary.
 * (Pipe registers its codec in pipe.ts, where the internals it needs are private.)
 */
import * as errors from './errors.ts';
import { register } from './runtime/registry.ts';
import { registerCodec } from './serializer/index.ts';
import { SHARE_CODEC_ID, shareCodec } from './share/share.ts';
import { ProcessTimers, Sktimer } from './timing/timing.ts';

const builtins: Record<string, abstract new (...args: never[]) => unknown> = {
  ProcessError: errors.ProcessError,
  PreRunError: errors.PreRunError,
  RunError: errors.RunError,
  PostRunError: errors.PostRunError,
  OnFinishError: errors.OnFinishError,
  ResultError: errors.ResultError,
  ErrorHandlerError: errors.ErrorHandlerError,
  ProcessTimeoutError: errors.ProcessTimeoutError,
  ResultTimeoutError: errors.ResultTimeoutError,
  PipeEndpointError: errors.PipeEndpointError,
  SerializationError: errors.SerializationError,
  Sktimer,
  ProcessTimers,
};

for (const [name, cls] of Object.entries(builtins)) register(cls, { id: `suitkaise:${name}` });
// A Share travels through a codec: members named toState/fromState would shadow the user's keys.
registerCodec(SHARE_CODEC_ID, shareCodec);
