// The workerpool peer of the Pool bench (bench/pool.ts): `pool.exec('increment', [x])`.
import workerpool from 'workerpool';
import { busy, increment } from './pool-peer-worker.mjs';

workerpool.worker({ increment, busy });
