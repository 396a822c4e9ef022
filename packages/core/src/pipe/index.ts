/**
 * Owns `Pipe`: paired MessagePort endpoints, their roles, and moving a point into a worker and back.
 * May import: errors, protocol, process (its mailbox), serializer.
 */
export { Pipe, type PipePairOptions, type PipeRole } from './pipe.ts';
