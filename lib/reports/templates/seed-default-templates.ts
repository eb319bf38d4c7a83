// Writes the shipped templates at every start, idempotently: each is found by
// its defaultKey and brought to the shipped text (a newer release's wording
// wins; facilities change their own copies, never the shipped ones).
import type { Database } from '../../../prisma/database';
import { DEFAULT_TEMPLATES } from './default-templates';

export async function seedDefaultTemplates(db: Database): Promise<number> {
  let written = 0;
  for (const template of DEFAULT_TEMPLATES) {
    const data = { name: template.name, modality: template.modality, bodyRegion: template.bodyRegion, sections: JSON.stringify(template.sections) };
    const existing = await db.reportTemplate.findUnique({ where: { defaultKey: template.defaultKey }, select: { name: true, modality: true, bodyRegion: true, sections: true } });
    if (existing && Object.entries(data).every(([key, value]) => existing[key as keyof typeof data] === value)) continue;
    await db.reportTemplate.upsert({ where: { defaultKey: template.defaultKey }, create: { defaultKey: template.defaultKey, facilityId: null, ...data }, update: data });
    written += 1;
  }
  return written;
}
