import { test, expect } from '@playwright/test';

const BODY = { phoneNumber: '+201234567890', allowedContractTypeIds: [414], minimalSignatureFlow: true };

test('through the fake Vlens app: a step, a renewed token, completion; one iframe through re-renders', async ({ page }) => {
  // The token endpoint, stubbed: the fake app takes any token.
  const requests = [];
  await page.route('**/api/vlens/session', (route) => {
    requests.push(route.request().postDataJSON());
    return route.fulfill({ json: { token: `test-token-${requests.length}` } });
  });
  await page.goto('/');
  const vlens = page.frameLocator('#vlens iframe');
  await expect(vlens.getByTestId('state')).toHaveText('ready');
  await vlens.getByTestId('step-kyc').click();
  await expect(page.getByTestId('status')).toContainText('Step: kyc');
  await expect(page.getByTestId('status')).toContainText('(2 s)'); // the parent re-rendered
  await vlens.getByTestId('expire-token').click();
  await expect(vlens.getByTestId('token')).toHaveText('test-token-2');
  await vlens.getByTestId('complete').click();
  await expect(page.getByTestId('result')).toHaveText(JSON.stringify({ status: 'completed', data: { steps: ['kyc'] } }));
  await expect(page.locator('iframe')).toHaveCount(1);
  expect(requests).toEqual([BODY, BODY]); // StrictMode: one on mount, one when the token expired
});
