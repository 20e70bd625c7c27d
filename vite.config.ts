// Vite builds the web client (web/ → dist/web, served by the API server at /) and Vitest runs the
// project's tests from the project root.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const projectRoot = fileURLToPath(new URL('.', import.meta.url));
const api = 'http://127.0.0.1:3000';

export default defineConfig({
  root: 'web',
  base: '/',
  publicDir: 'public',
  plugins: [svelte()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    // four pages: the map (index.html), the command posts' dashboard (dashboard.html), the
    // administrators' users and audit page (admin.html) and the map print's sheet (print.html)
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('web/index.html', import.meta.url)),
        dashboard: fileURLToPath(new URL('web/dashboard.html', import.meta.url)),
        admin: fileURLToPath(new URL('web/admin.html', import.meta.url)),
        // the map print's sheet, opened by the server's Chromium (server/print)
        print: fileURLToPath(new URL('web/print.html', import.meta.url)),
      },
    },
  },
  server: {
    host: '127.0.0.1',
    fs: { allow: [projectRoot] },
    proxy: {
      '/api': api,
      '/health': api,
      '/tiles': api,
      '/basemaps': api,
      '/ogc': api,
    },
  },
  test: {
    root: projectRoot,
    include: ['tests/**/*.test.ts'],
    fileParallelism: false,
    globalSetup: ['tests/setup/global.ts'],
    testTimeout: 60000,
    hookTimeout: 180000,
  },
});
