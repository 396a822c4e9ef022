import { defaultClientConditions, defineConfig } from 'vite';
import suitkaise from '@suitkaise/transform/vite';

export default defineConfig({
  // The whole set-up for a suitkaise app: the plugin transforms @sk() classes into worker entries,
  // sets worker.format to 'es' and sends the cross-origin isolation headers from dev and preview.
  plugins: [suitkaise()],
  // Inside this repository only: resolve the workspace packages to their TypeScript sources.
  resolve: { conditions: ['@suitkaise/source', ...defaultClientConditions] },
});
