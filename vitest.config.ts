import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import type { PluginOption } from 'vite';

/** Debian's Chromium, and the flags it needs on a machine with no network but loopback. */
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  ],
};

// Workspace packages resolve to their TypeScript sources inside this repository.
const source = '@suitkaise/source';

const plugins: PluginOption[] = [];
try {
  const { default: suitkaise } = await import('./packages/transform/src/vite.ts');
  plugins.push(suitkaise());
} catch (error) {
  if (!(error instanceof Error && /Cannot find|Failed to load|ENOENT/.test(error.message))) throw error;
}

export default defineConfig({
  plugins,
  resolve: { conditions: [source, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [source, ...defaultServerConditions], externalConditions: [source] } },
  // Found late otherwise (only imported from worker code paths), which would reload the browser mid-run.
  optimizeDeps: { include: ['msgpackr/pack', 'fast-check', 'comlink', 'reflect-metadata/no-conflict'] },
  server: {
    headers: {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: ['**/*.browser.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['packages/core/test/**/*.test.ts', 'packages/browser/test/**/*.test.ts'],
          exclude: ['**/*.node.test.ts', '**/node_modules/**'],
          // A ws echo server on loopback for the browser WebSocket Reconnector test; provides `wsEchoPort`.
          globalSetup: ['packages/core/test/global-setup/ws-echo-server.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: chromium }),
            instances: [{ browser: 'chromium' }],
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
