import { defineConfig } from 'vite';

// Built into dist/ and served by `weir serve` at /. The API is same-origin (/api/...).
export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true },
});
