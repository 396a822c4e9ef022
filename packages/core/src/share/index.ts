/**
 * Owns `Share`: the proxy users see (and the codec it crosses worker boundaries with), the forms values are kept in, and the shared-memory store with its cross-thread lock (freed when a holder dies).
 * May import: errors, protocol, runtime, serializer, reconnect.
 */
export { Share, type ShareConstructor, type ShareMethods } from './share.ts';
