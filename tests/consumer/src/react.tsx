// React consumer: the component, its ref, and the hook.
import { useRef } from 'react';
import { VlensVerification, useVlens, type VlensVerificationProps } from 'vlens-widget/react';
import type { VlensSession } from 'vlens-widget';

export function Page() {
  const ref = useRef<VlensSession | null>(null);
  return (
    <VlensVerification
      ref={ref}
      tokenProvider={{ url: '/api/vlens/session', body: { phoneNumber: '+201234567890', allowedContractTypeIds: [414] } }}
      baseUrl="http://localhost:8081"
      height={700}
      className="kyc"
      id="kyc"
      style={{ maxWidth: 720 }}
      onComplete={({ data }) => console.log(data)}
      onError={(e) => console.log(e.code, e.recoverable)}
    />
  );
}

export function Missing() {
  // @ts-expect-error: tokenProvider is required
  return <VlensVerification height={700} />;
}

export function BadOption() {
  // @ts-expect-error: height is a number or a CSS length
  return <VlensVerification tokenProvider="/api/vlens/session" height={true} />;
}

export function Hooked() {
  const { ref, state, step, error, result, session } = useVlens(async ({ signal }) => {
    const r = await fetch('/api/vlens/session', { method: 'POST', signal });
    return ((await r.json()) as { token: string }).token;
  }, { onStep: ({ step }) => console.log(step) });
  const s: 'idle' | 'token' | 'loading' | 'ready' | 'completed' | 'cancelled' | 'error' | 'destroyed' = state;
  // @ts-expect-error: the hook's state has no such value
  const wrong: typeof state = 'mounted';
  if (result && result.status === 'completed') console.log(result.data);
  console.log(s, step?.toUpperCase(), error?.code, session?.state, wrong);
  return <div ref={ref} />;
}

export function Dialog({ open, setOpen }: { open: boolean; setOpen: (open: boolean) => void }) {
  return <VlensVerification tokenProvider="/x" mode="modal" locale="ar" open={open} onOpenChange={setOpen} readyOn="message" debug />;
}

export function BadOpenChange() {
  // @ts-expect-error: onOpenChange takes a boolean
  return <VlensVerification tokenProvider="/x" onOpenChange={(open: string) => open.trim()} />;
}

export const props: VlensVerificationProps = { tokenProvider: '/x', open: false, parseMessage: (d) => ({ type: String(d) }) };
