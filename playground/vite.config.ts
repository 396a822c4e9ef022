import { defaultClientConditions, defineConfig } from 'vite';
// An app outside this repository writes `import suitkaise from '@suitkaise/transform/vite'`. Here the
// workspace packages need not be built (no dist/ before `npm run build`), and Vite loads its config with
// plain Node resolution, which ignores the '@suitkaise/source' condition: so import the plugin's source.
import suitkaise from '../packages/transform/src/vite.ts';

export default defineConfig({
  // The whole set-up for a suitkaise app: the plugin turns @sk() classes into worker entries,
  // sets worker.format to 'es' and sends the cross-origin isolation headers from dev and preview.
  plugins: [suitkaise()],
  // Inside this repository only: resolve the workspace packages to their TypeScript sources.
  resolve: { conditions: ['@suitkaise/source', ...defaultClientConditions] },
  // Inside this repository only: the workspace packages are source code to Vite, so their own
  // dependencies, imported only from worker code paths, would be found on first use and make the
  // dev server reload the page mid-run. An installed app gets this from the plugin.
  optimizeDeps: { include: ['comlink', 'reflect-metadata', 'msgpackr/pack', 'chart.js'] },
});
