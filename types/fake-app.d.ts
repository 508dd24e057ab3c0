/**
 * vlens-widget/fake-app: a fake Vlens app for your app's browser tests (Playwright, Cypress).
 * Node only. Also a command: `npx vlens-fake-app --port 8081`.
 *
 * ```ts
 * import { startFakeVlens } from 'vlens-widget/fake-app';
 *
 * const vlens = await startFakeVlens({ port: 0 });
 * // mount the widget with baseUrl: vlens.url, click its buttons (data-testid), then
 * await vlens.close();
 * ```
 * @packageDocumentation
 */

/** Options of {@link startFakeVlens}. */
export interface FakeVlensOptions {
  /** Port on 127.0.0.1; `0` (default) picks a free one. */
  port?: number;
}

/** A running fake app. */
export interface FakeVlens {
  /** `http://localhost:PORT`: the widget's `baseUrl`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Stops the server and closes its open connections. */
  close(): Promise<void>;
}

/**
 * Starts the fake app. Its page, `GET /session?token=...`, is what the widget's iframe
 * loads: it says `ready`, then one button per message (`data-testid`): `step-registration`,
 * `step-kyc`, `step-contract`, `complete`, `cancel`, `fail`, `expire-token`.
 * Rejects when the port is in use.
 */
export function startFakeVlens(options?: FakeVlensOptions): Promise<FakeVlens>;
