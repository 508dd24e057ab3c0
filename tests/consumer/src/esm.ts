// ES-module consumer: the core, typed events on window, document and elements, the element.
import { mountVlens, type VlensSession, type VlensCompleteDetail } from 'vlens-widget';
import { VlensVerificationElement } from 'vlens-widget/element';

const session: VlensSession = mountVlens('#kyc', {
  url: '/api/vlens/session',
  body: { phoneNumber: '+201234567890', allowedContractTypeIds: [414], minimalSignatureFlow: true },
}, { height: 700, onComplete: ({ data }) => console.log(data) });
session.result.then((r) => { if (r.status === 'completed') console.log(r.data); });

window.addEventListener('vlens:complete', (e) => { const d: VlensCompleteDetail = e.detail; console.log(d.data); });
document.addEventListener('vlens:step', (e) => console.log(e.detail.step.toUpperCase()));
document.getElementById('kyc')?.addEventListener('vlens:error', (e) => console.log(e.detail.code, e.detail.recoverable));
// @ts-expect-error: vlens:step's detail has no `data`
window.addEventListener('vlens:step', (e) => e.detail.data);
// @ts-expect-error: the height is a number
document.addEventListener('vlens:resize', (e) => e.detail.height.toUpperCase());

const el = document.createElement('vlens-verification');
el.tokenProvider = '/api/vlens/session';
el.options = { height: 600, onReady: () => {} };
el.addEventListener('vlens:complete', (e) => console.log(e.detail.data));
const s: VlensSession | null = el.session;
// @ts-expect-error: session is read-only
el.session = null;
// @ts-expect-error: not a provider
el.tokenProvider = 42;
const ctor: typeof VlensVerificationElement = VlensVerificationElement;
console.log(s, ctor);

// @ts-expect-error: the ApiKey never goes to the browser
mountVlens('#kyc', '/api/vlens/session', { apiKey: 'secret' });
