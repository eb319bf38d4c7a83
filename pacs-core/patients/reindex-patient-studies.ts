// After a patient record's demographics changed, or studies moved to it: the
// index of those studies serves the record's values (patient-overlay.ts).
// Study rows (QIDO/C-FIND) are rewritten in one statement each; the instances'
// stored headers (WADO-RS metadata, QIDO includefield=all) in batches, then
// once more for the instances an ingest committed meanwhile (new ingests read
// the record's values themselves); each series' metadata version is bumped so
// its cached metadata is rebuilt.
import type { Archive } from '../archive';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { PATIENT_LEVEL_TAGS } from '../dicom/levels';
import { forgetIndexedSeries } from '../ingest';
import { applyPatientOverlay } from './patient-overlay';

const BATCH = 200;

export async function reindexPatientStudies(archive: Archive, studyIds: readonly string[], overlay: DicomJsonDataset): Promise<{ instances: number }> {
  if (studyIds.length === 0) return { instances: 0 };
  const { db } = archive;
  const studies = await db.study.findMany({ where: { id: { in: [...studyIds] } }, select: { id: true, attributes: true } });
  for (const study of studies) {
    const attributes = JSON.parse(study.attributes) as DicomJsonDataset;
    const patientLevel = new Set<string>(PATIENT_LEVEL_TAGS);
    const next = applyPatientOverlay(attributes, Object.fromEntries(Object.entries(overlay).filter(([tag]) => patientLevel.has(tag))));
    await db.study.update({ where: { id: study.id }, data: { attributes: JSON.stringify(next) } });
  }
  // Ingests of these series read the record's values again from now on
  const series = await db.series.findMany({ where: { studyRef: { in: [...studyIds] } }, select: { id: true } });
  forgetIndexedSeries(archive, series.map((row) => row.id));
  const started = new Date(Date.now() - 1000);
  let instances = await rewriteInstances(archive, studyIds, overlay);
  // Instances committed while the first pass ran may carry the header's values
  instances += await rewriteInstances(archive, studyIds, overlay, started);
  await db.series.updateMany({ where: { studyRef: { in: [...studyIds] } }, data: { metadataVersion: { increment: 1 } } });
  return { instances };
}

async function rewriteInstances(archive: Archive, studyIds: readonly string[], overlay: DicomJsonDataset, since?: Date): Promise<number> {
  const { db } = archive;
  let count = 0;
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.instance.findMany({
      where: { series: { studyRef: { in: [...studyIds] } }, ...(since ? { createdAt: { gte: since } } : {}) },
      orderBy: { id: 'asc' },
      take: BATCH,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
      select: { id: true, metadata: true },
    });
    if (rows.length === 0) return count;
    await db.$transaction(
      rows.map((row) => db.instance.update({ where: { id: row.id }, data: { metadata: JSON.stringify(applyPatientOverlay(JSON.parse(row.metadata) as DicomJsonDataset, overlay)) } })),
    );
    count += rows.length;
    cursor = rows[rows.length - 1].id;
  }
}
