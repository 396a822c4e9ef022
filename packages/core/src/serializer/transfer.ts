/**
 * Things that move rather than copy: MessagePorts (a Pipe point holds one) cross in a message's
 * transfer list and are dead on the sending side afterwards. Posting goes through here so the
 * object that owned a moved port learns it no longer can use it.
 */
import { transferablesOf, type SerializedValue } from './index.ts';

/** An object that owns a port and must be told when that port moves away. */
export interface PortOwner {
  /** `port` went into a posted message's transfer list. */
  markMoved(port: object): void;
}

const owners = new WeakMap<object, PortOwner>();

/** Record that `owner` holds `port`. */
export function ownPort(port: object, owner: PortOwner): void {
  owners.set(port, owner);
}

/** The owner of `port`, if one was recorded. */
export function ownerOf(port: object): PortOwner | undefined {
  return owners.get(port);
}

/** The transfer list for an encoded message: an envelope's ports; nothing for a bare value. */
export function transferFor(message: unknown): Transferable[] {
  return typeof message === 'object' && message !== null ? transferablesOf(message as SerializedValue) : [];
}

/** Tell the owners of the ports in `transfer` that they moved (call once the message is posted). */
export function markTransferred(transfer: readonly Transferable[]): void {
  for (const port of transfer) owners.get(port)?.markMoved(port);
}

/** Post an encoded message on `port` with its transfer list; returns that list. */
export function postEncoded(port: MessagePort, message: unknown): Transferable[] {
  const transfer = transferFor(message);
  port.postMessage(message, transfer);
  if (transfer.length > 0) markTransferred(transfer);
  return transfer;
}
