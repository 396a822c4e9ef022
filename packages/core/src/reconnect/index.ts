/**
 * Live resources across worker boundaries: `Reconnector`, the built-in
 * resource types, `reconnectAll`, `registerReconnector` and `@autoreconnect`.
 * Importing this module registers the built-in types (on both sides, as the
 * serializer imports it).
 *
 * Owns `Reconnector`, `reconnectAll` and `@autoreconnect`.
 * May import: runtime, serializer (its codec table and graph walk; registered here, so never its index).
 */
import { registerDriverReconnectors } from './drivers.ts';
import { registerSocketReconnectors } from './sockets.ts';

export { Reconnector, ReconnectError, registerReconnector, credentialFor } from './reconnector.ts';
export { reconnectAll, type Reconnected } from './walk.ts';
export { autoreconnect, autoreconnectOptionsOf, pendingAutoreconnect } from './autoreconnect.ts';
export type {
  AutoreconnectOptions,
  ReconnectCredential,
  DetailValue,
  ReconnectAuth,
  ReconnectAuthEntry,
  ReconnectCredentials,
  ReconnectorDetails,
  ReconnectorSpec,
} from './types.ts';

// Calls, not side-effect imports: the package's `sideEffects` list does not name these files, and
// bundlers drop a side-effect-only import of such a file (the Node worker bundle did).
registerDriverReconnectors();
registerSocketReconnectors();
