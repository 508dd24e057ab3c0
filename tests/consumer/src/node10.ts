// Older resolution (`moduleResolution: "node"`, no `exports`): `types` and `typesVersions`.
import { mountVlens, preload } from 'vlens-widget';
import { VlensVerification } from 'vlens-widget/react';
import { useVlens } from 'vlens-widget/vue';
import { VlensVerificationElement } from 'vlens-widget/element';
import type { VlensGlobal } from 'vlens-widget/script';

const g: VlensGlobal = { mountVlens, preload, VlensError: Vlens.VlensError };
console.log(g, VlensVerification, useVlens, VlensVerificationElement);
// @ts-expect-error: the provider is a URL, an object or a function
mountVlens('#kyc', 42);
