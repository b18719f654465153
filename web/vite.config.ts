import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev -w web` proxies every RPC path to a running stack (npm start),
// so the dev server is same-origin like the served console. PLANTON_API_URL
// picks another stack.
const api = process.env["PLANTON_API_URL"] ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    // No inline script anywhere: the served CSP has no 'unsafe-inline'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      "/planton.connect.v1.": { target: api, changeOrigin: true },
    },
  },
});
