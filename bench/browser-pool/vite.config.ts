// Vite config of the Chromium Pool bench page (bench/pool.ts builds and serves it; root, ports,
// cache and output directories are given there).
import { defaultClientConditions, defineConfig } from 'vite';
// As in playground/vite.config.ts: the plugin's source, and the workspace packages' TypeScript sources.
import suitkaise from '../../packages/transform/src/vite.ts';

export default defineConfig({
  plugins: [suitkaise()],
  resolve: { conditions: ['@suitkaise/source', ...defaultClientConditions] },
  // Imported only from worker code paths: found late otherwise, which would reload the page mid-run.
  optimizeDeps: { include: ['comlink', 'reflect-metadata/no-conflict', 'msgpackr/pack'] },
});
