// The sk() function the Chromium part of the Pool bench maps (bench/pool.ts, benchmark 4).
import { sk } from '@suitkaise/core';

/** The tiniest task. */
export const increment = sk((x: number) => x + 1);
