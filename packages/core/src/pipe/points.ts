/**
 * Pipe points as the supervisor handles them: claimed by a process or a queued message, re-paired
 * with their anchors for a replacement worker, and told when the worker that held them ended.
 */
import { PipeEndpointError } from '../errors.ts';
import type { SerializedValue } from '../serializer/index.ts';
import type { Envelope } from '../serializer/protocol.ts';
import { ownerOf } from '../serializer/transfer.ts';
import { PIPE_ID, PortHolder, endpointInternals, type Pipe, type PointState } from './pipe.ts';

/** The points among `transfer`'s ports now belong to a process or a queued message. */
export function claimPoints(transfer: readonly Transferable[]): void {
  for (const point of endpointsOf(transfer)) endpointInternals().claim(point);
}

/**
 * Give every Pipe point in `envelope` (a process's state, whose points moved into a worker that
 * died) a fresh channel to its anchor, in place; returns the new ports to transfer.
 */
export function repairPoints(envelope: SerializedValue): Transferable[] {
  const ports: Transferable[] = [];
  for (const sub of (envelope as Envelope).subs ?? []) {
    if (sub.k !== 'state' || sub.id !== PIPE_ID) continue;
    const owner = ownerOf((sub.state as PointState).port);
    if (!(owner instanceof PortHolder)) throw new PipeEndpointError('a pipe point in the process state has no endpoint in this thread');
    const state = endpointInternals().repair(owner.pipe);
    (sub as { state: unknown }).state = state;
    ports.push(state.port);
  }
  return ports;
}

/**
 * The worker that held `points` ended: their anchors in this thread stop waiting on it. (Node
 * fires 'close' on the anchor's port by itself; Chromium does not for a terminated worker.)
 */
export function pointsEnded(points: Iterable<Pipe>): void {
  for (const point of points) endpointInternals().peerEnded(point);
}

/** The pipe endpoints that own `transfer`'s ports. */
export function endpointsOf(transfer: readonly Transferable[]): Set<Pipe> {
  const found = new Set<Pipe>();
  for (const port of transfer) {
    const owner = ownerOf(port);
    if (owner instanceof PortHolder) found.add(owner.pipe);
  }
  return found;
}
