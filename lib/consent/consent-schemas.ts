// The consent's zod parts, for the server (consent-types.ts stays zod-free for pages).
import { z } from 'zod';
import { CONSENT_PURPOSES } from './consent-types';

export const ZConsentPurpose = z.enum(CONSENT_PURPOSES, { error: 'Choose a purpose: second opinion, teleconsultation, emergency care, transfer or research' });
