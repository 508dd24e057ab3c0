import { test, expect } from '@playwright/test';

test('through the fake Vlens app: hidden and shown again, then a step and completion', async ({ page }) => {
  // The token endpoint, stubbed: the fake app takes any token.
  let requests = 0;
  await page.route('**/api/vlens/session', (route) => route.fulfill({ json: { token: `test-token-${++requests}` } }));
  await page.goto('/');
  await expect(page.frameLocator('#vlens iframe').getByTestId('token')).toHaveText('test-token-1');
  await page.getByTestId('toggle').click();
  await expect(page.locator('iframe')).toHaveCount(0);
  await page.getByTestId('toggle').click();
  const vlens = page.frameLocator('#vlens iframe');
  await expect(vlens.getByTestId('token')).toHaveText('test-token-2'); // a new session
  await vlens.getByTestId('step-registration').click();
  await expect(page.getByTestId('status')).toHaveText('Step: registration');
  await vlens.getByTestId('cancel').click();
  await expect(page.getByTestId('result')).toHaveText(JSON.stringify({ status: 'cancelled', data: { step: 'registration' } }));
  expect(requests).toBe(2);
});
