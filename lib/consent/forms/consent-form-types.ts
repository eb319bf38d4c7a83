// A facility's consent form (prisma ConsentForm): one text a patient reads and
// signs, named by a key ("imaging-sharing"), in one language (an RFC 5646 tag),
// at one version. A new wording is a new row (version + 1), never an edit: a
// signed consent points at the exact row its patient read.
import { z } from 'zod';

// RFC 5646 in its everyday shape: a 2-3 letter primary language, then subtags
// (script, region, variant) of 2 to 8 letters or digits: en, fr, pt-BR, zh-Hant-TW.
export const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
export const FORM_KEY = /^[a-z0-9-]{1,40}$/;
export const MAX_TITLE_LENGTH = 200;
export const MAX_BODY_LENGTH = 20_000;

export const ZPublishConsentForm = z.object({
  key: z.string({ error: 'Give the form a key, e.g. imaging-sharing' }).trim().regex(FORM_KEY, 'A key is 1 to 40 lower-case letters, digits and hyphens, e.g. imaging-sharing'),
  language: z.string({ error: 'Give the language, e.g. en or fr' }).trim().max(35, 'A language tag is at most 35 characters').regex(LANGUAGE_TAG, 'A language is a tag such as en, fr or pt-BR'),
  title: z.string({ error: 'Give the form a title' }).trim().min(1, 'Give the form a title').max(MAX_TITLE_LENGTH, `A title is at most ${MAX_TITLE_LENGTH} characters`),
  body: z
    .string({ error: 'Write the text the patient reads' })
    .max(MAX_BODY_LENGTH, `The text is at most ${MAX_BODY_LENGTH.toLocaleString('en')} characters`)
    .refine((body) => body.trim() !== '', 'Write the text the patient reads'),
  /**
   * The version this one replaces, as the admin's editor showed it (0: a form new in that language). Given,
   * a publish based on anything but the latest version is a CONFLICT, so of two admins editing the same
   * version one wins and the other is told, on SQLite too (where transactions run one after the other).
   * Absent: the next version after the latest, whatever it is.
   */
  baseVersion: z.number({ error: 'The version this replaces is a number' }).int().min(0).optional(),
});
export type PublishConsentFormRequest = z.input<typeof ZPublishConsentForm>;

export interface ConsentFormView {
  id: string;
  facilityId: string;
  key: string;
  version: number;
  language: string;
  title: string;
  body: string;
  createdAt: Date;
  /** null: the text shipped with Telepacs, seeded for the facility */
  createdById: string | null;
  retired: boolean;
  retiredAt: Date | null;
}

export type ConsentFormRow = { id: string; facilityId: string; key: string; version: number; language: string; title: string; body: string; createdAt: Date; createdById: string | null; retiredAt: Date | null };

export function consentFormView(row: ConsentFormRow): ConsentFormView {
  return {
    id: row.id,
    facilityId: row.facilityId,
    key: row.key,
    version: row.version,
    language: row.language,
    title: row.title,
    body: row.body,
    createdAt: row.createdAt,
    createdById: row.createdById,
    retired: row.retiredAt !== null,
    retiredAt: row.retiredAt,
  };
}

/** The current form per key and language: its highest version not retired. Sorted by key, then language. */
export function currentVersions<T extends { key: string; language: string; version: number; retiredAt: Date | null }>(rows: T[]): T[] {
  const latest = new Map<string, T>();
  for (const row of rows) {
    if (row.retiredAt) continue;
    const name = `${row.key}\u0000${row.language}`;
    const seen = latest.get(name);
    if (!seen || row.version > seen.version) latest.set(name, row);
  }
  return [...latest.values()].sort((a, b) => a.key.localeCompare(b.key) || a.language.localeCompare(b.language));
}

/** A unique index refused the row (Prisma P2002) */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'P2002';
}
