import { useEffect, useState } from 'react';
import { VlensVerification } from 'vlens-widget/react';

// The Vlens app: `npm start`'s local mock by default; leave baseUrl out in production
// (it defaults to https://app.vlenseg.com).
const baseUrl = import.meta.env.VITE_VLENS_BASE_URL || 'http://localhost:8081';

// What your endpoint needs; with `npm start` that is the body of POST /api/vlens/session.
// (In a real app the server takes the phone number from the signed-in user.)
const tokenProvider = {
  url: '/api/vlens/session',
  body: { phoneNumber: '+201234567890', allowedContractTypeIds: [414], minimalSignatureFlow: true },
};

export function App() {
  const [seconds, setSeconds] = useState(0);
  const [step, setStep] = useState(null);
  const [result, setResult] = useState(null);
  // A parent that re-renders every second: the flow is not restarted.
  useEffect(() => {
    const timer = setInterval(() => setSeconds((s) => s + 1), 1000);
    return () => clearInterval(timer);
  }, []);

  return (
    <main>
      <h1>Verify your identity</h1>
      <p data-testid="status">
        {result ? `Done: ${result.status}` : step ? `Step: ${step}` : 'Starting…'} ({seconds} s)
      </p>
      <VlensVerification
        id="vlens"
        className="kyc"
        tokenProvider={tokenProvider}
        baseUrl={baseUrl}
        height={700}
        onStep={({ step }) => setStep(step)}
        onComplete={({ data }) => setResult({ status: 'completed', data })}
        onCancel={({ data }) => setResult({ status: 'cancelled', data })}
        onError={({ code, message }) => console.warn(code, message)}
      />
      {result && <pre data-testid="result">{JSON.stringify(result)}</pre>}
    </main>
  );
}
