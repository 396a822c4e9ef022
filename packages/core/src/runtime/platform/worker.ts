/**
 * The adapter inside a worker bundle (selected by the `suitkaise-worker` condition): workers do not
 * start processes of their own, and this keeps the spawning machinery out of every worker file.
 */
import type { Adapter } from '../adapter.ts';

/** Refuses to spawn, saying what to do instead. */
export const adapter: Adapter = {
  name: 'worker',
  spawn: async (registration) => {
    throw new Error(`cannot start ${registration.id} from inside a worker: start processes from the main thread`);
  },
  parallelism: () => 1,
  moduleOf: async (registration) => {
    throw new Error(`cannot map ${registration.id} from inside a worker: use a Pool from the main thread`);
  },
};
