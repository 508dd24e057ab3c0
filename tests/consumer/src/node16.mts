// ES-module consumer under node16 resolution.
import { mountVlens } from 'vlens-widget';
import { VlensVerification } from 'vlens-widget/react';
import { useVlens } from 'vlens-widget/vue';
import 'vlens-widget/element';

mountVlens('#kyc', () => 'token');
console.log(VlensVerification, useVlens);
// @ts-expect-error: the provider is a URL, an object or a function
mountVlens('#kyc', 42);
