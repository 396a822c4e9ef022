/** The Bench panel's task: the tiniest there is, so what is measured is the pool's own overhead. */
import { sk } from '@suitkaise/core';

/** `x + 1`, in a pool worker. */
export const increment = sk((x: number) => x + 1);
