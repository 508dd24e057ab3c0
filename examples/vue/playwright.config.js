// `npm run e2e`: Playwright against this app's dev server and the fake Vlens app that
// vlens-widget ships (`npx vlens-fake-app`); the tests stub the token endpoint, so neither
// `npm start` nor Vlens is needed. VLENS_PORT and APP_PORT change the ports, CHROMIUM_PATH
// the browser (by default Playwright's own: `npx playwright install chromium`).
import { defineConfig } from '@playwright/test';

const vlens = `http://localhost:${process.env.VLENS_PORT || 8081}`;
const app = `http://localhost:${process.env.APP_PORT || 5173}`;

export default defineConfig({
  testDir: 'e2e',
  use: { baseURL: app, launchOptions: { executablePath: process.env.CHROMIUM_PATH || undefined } },
  webServer: [
    { command: `npx vlens-fake-app --port ${new URL(vlens).port}`, url: `${vlens}/` },
    { command: `npx vite --port ${new URL(app).port} --strictPort`, url: app, env: { VITE_VLENS_BASE_URL: vlens } },
  ],
});
