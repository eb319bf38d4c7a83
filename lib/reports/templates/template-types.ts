// A report template: named sections, each with optional default text and an
// optional pick list (e.g. a severity). Stored as JSON text
// (ReportTemplate.sections), parsed here and nowhere else.
import { z } from 'zod';

export const ZPickList = z.object({
  label: z.string().trim().min(1, 'Name the pick list').max(100),
  options: z.array(z.string().trim().min(1).max(100)).min(2, 'A pick list needs at least two options').max(30),
});

export const ZTemplateSection = z.object({
  key: z.string().trim().regex(/^[a-z][a-z0-9_]{0,63}$/, 'A section key is lower-case letters, digits and _'),
  title: z.string().trim().min(1, 'Every section needs a title').max(100),
  defaultText: z.string().max(5000).optional(),
  pickList: ZPickList.optional(),
});
export type TemplateSection = z.output<typeof ZTemplateSection>;

export const ZTemplateSections = z
  .array(ZTemplateSection, { error: 'A template needs sections' })
  .min(1, 'A template needs at least one section')
  .max(30, 'At most 30 sections')
  .refine((sections) => new Set(sections.map((section) => section.key)).size === sections.length, 'Two sections have the same key');

const ZName = z.string({ error: 'Name the template' }).trim().min(1, 'Name the template').max(120);
const ZModality = z.string().trim().toUpperCase().max(16);
const ZBodyRegion = z.string().trim().max(64);

export const ZTemplateRequest = z.object({ name: ZName, modality: ZModality.default(''), bodyRegion: ZBodyRegion.default(''), sections: ZTemplateSections });
export type TemplateRequest = z.input<typeof ZTemplateRequest>;

/** Only the fields sent change (no defaults here: an absent field stays as it is) */
export const ZTemplateUpdate = z.object({ name: ZName.optional(), modality: ZModality.optional(), bodyRegion: ZBodyRegion.optional(), sections: ZTemplateSections.optional(), retired: z.boolean().optional() });

export interface ReportTemplateView {
  id: string;
  /** null: shipped with Telepacs (read-only) */
  facilityId: string | null;
  name: string;
  modality: string;
  bodyRegion: string;
  sections: TemplateSection[];
  retired: boolean;
}

export function templateView(row: { id: string; facilityId: string | null; name: string; modality: string; bodyRegion: string; sections: string; retiredAt: Date | null }): ReportTemplateView {
  return {
    id: row.id,
    facilityId: row.facilityId,
    name: row.name,
    modality: row.modality,
    bodyRegion: row.bodyRegion,
    sections: JSON.parse(row.sections) as TemplateSection[],
    retired: row.retiredAt !== null,
  };
}
