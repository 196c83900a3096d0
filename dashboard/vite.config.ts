import { defineConfig } from 'vite';

/**
 * The dashboard SPA: built into dashboard/dist and served by the Parley server at /dashboard.
 * Lit's decorators compile as TypeScript's legacy decorators: Oxc reads `experimentalDecorators`
 * and `useDefineForClassFields: false` from the root tsconfig.json.
 * `npm run build:dashboard` builds it; `npx vite --config dashboard/vite.config.ts` serves it with
 * hot reload, proxying the API to a server on PARLEY_URL (default http://localhost:3000).
 */
const api = process.env.PARLEY_URL ?? 'http://localhost:3000';

export default defineConfig({
  root: __dirname,
  base: '/dashboard/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The polyfill would be inline script; the dashboard's CSP allows none and browsers need none.
    modulePreload: { polyfill: false },
    rollupOptions: { input: { main: `${__dirname}/index.html`, preview: `${__dirname}/preview.html` } },
  },
  server: {
    proxy: {
      '/api': api,
      '/socket.io': { target: api, ws: true },
      '/widget.js': api,
      '/widget': api,
    },
  },
});
