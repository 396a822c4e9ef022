// Vite config of the start → result bench page (bench/frontend.ts builds and serves it).
import { defaultClientConditions, defineConfig } from 'vite';
import suitkaise from '../../packages/transform/src/vite.ts';

export default defineConfig({
  plugins: [suitkaise()],
  resolve: { conditions: ['@suitkaise/source', ...defaultClientConditions] },
  optimizeDeps: { include: ['comlink', 'reflect-metadata/no-conflict', 'msgpackr/pack'] },
});
