import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// `npm run dev` serves the app on :5173 and forwards /api to `npm start`'s server in the
// repository root (http://127.0.0.1:8080), so the token request stays same-origin.
export default defineConfig({
  plugins: [vue()],
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
