// The console's build (scripts/build-web.mjs runs it with web/ as root) and, for
// working on pages, `npm run dev:web`: Vite's server on :5173 in front of an
// engine on :3000 (`npm start`), so /api and Socket.IO reach the real thing.
import { defineConfig } from "vite";

const engine = process.env.CHARLA_URL ?? "http://localhost:3000";

export default defineConfig({
  // JSX compiles to React's automatic runtime; no Babel plugin is needed for a build.
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Every browser the console supports has modulepreload; the polyfill would be an inline script the CSP refuses.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      // React libraries mark their modules "use client" for server rendering, which a browser bundle has no use for.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  server: {
    proxy: {
      "/api": engine,
      "/socket.io": { target: engine, ws: true },
    },
  },
});
