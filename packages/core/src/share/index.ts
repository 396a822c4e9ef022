/**
 * Owns `Share`: the proxy users see, and the shared-memory store with its cross-thread locks (freed when a holder dies).
 * May import: errors, protocol, runtime, serializer, reconnect.
 */
export { Share, type ShareConstructor, type ShareMethods } from './share.ts';
