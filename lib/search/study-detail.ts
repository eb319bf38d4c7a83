// One study for the study page: patient, series with counts (for thumbnails),
// and, for the tags browser, one instance's header as rows. From the index
// only (the header is stored at ingest as DICOM JSON); outsiders get null,
// like a study that does not exist.
import dcmjs from 'dcmjs';
import type { AccessScope } from '../../pacs-core/access';
import { findVisibleStudy } from '../../pacs-core/index/find-visible-study';
import type { DicomJsonDataset, DicomJsonElement } from '../../pacs-core/dicom/dicom-json';
import type { Database } from '../../prisma/database';

export interface StudyDetail {
  id: string;
  studyInstanceUid: string;
  studyDate: string;
  studyTime: string;
  accessionNumber: string;
  studyId: string;
  description: string;
  referringPhysician: string;
  modalities: string[];
  numberOfSeries: number;
  numberOfInstances: number;
  facility: { id: string; code: string; name: string };
  patient: { id: string; patientId: string; issuer: string; name: string; sex: string; birthDate: string };
  series: {
    seriesInstanceUid: string;
    seriesNumber: number | null;
    modality: string;
    description: string;
    bodyPart: string;
    numberOfInstances: number;
  }[];
}

export async function studyDetail(db: Database, scope: AccessScope, studyInstanceUid: string): Promise<StudyDetail | null> {
  // The copy of the study this caller may see (each facility holds its own)
  const visible = await findVisibleStudy(db, studyInstanceUid, scope);
  if (!visible) return null;
  const study = await db.study.findUnique({
    where: { id: visible.id },
    select: {
      id: true,
      studyInstanceUid: true,
      studyDate: true,
      studyTime: true,
      accessionNumber: true,
      studyId: true,
      description: true,
      referringPhysician: true,
      modalities: true,
      numberOfSeries: true,
      numberOfInstances: true,
      facility: { select: { id: true, code: true, name: true } },
      patient: { select: { id: true, patientId: true, issuer: true, name: true, sex: true, birthDate: true } },
      series: {
        orderBy: [{ seriesNumber: 'asc' }, { id: 'asc' }],
        select: { seriesInstanceUid: true, seriesNumber: true, modality: true, description: true, bodyPart: true, numberOfInstances: true },
      },
    },
  });
  if (!study) return null;
  return { ...study, modalities: study.modalities.split('\\').filter(Boolean) };
}

export interface TagRow {
  /** "(0010,0010)" */
  tag: string;
  keyword: string;
  vr: string;
  value: string;
  /** Nesting depth inside sequences (0 = top level) */
  depth: number;
}

const dictionary = (dcmjs as unknown as { data: { DicomMetaDictionary: { dictionary: Record<string, { name?: string }> } } }).data.DicomMetaDictionary
  .dictionary;

function keywordOf(tag: string): string {
  const key = `(${tag.slice(0, 4)},${tag.slice(4)})`;
  return dictionary[key]?.name ?? (parseInt(tag.slice(3, 4), 16) % 2 === 1 ? 'Private' : '');
}

function valueText(element: DicomJsonElement): string {
  if (element.BulkDataURI) return '(bulk data, not shown)';
  if (element.InlineBinary) return `(binary, ${Math.floor((element.InlineBinary.length * 3) / 4)} bytes)`;
  const values = element.Value ?? [];
  return values
    .map((value) => {
      if (value && typeof value === 'object') {
        const pn = value as { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
        return [pn.Alphabetic, pn.Ideographic, pn.Phonetic].filter(Boolean).join(' = ');
      }
      return String(value);
    })
    .join(' \\ ')
    .slice(0, 500);
}

/** The header as rows, sequences flattened with their depth (PS3.18 F.2 DICOM JSON in, people's text out). */
export function tagRows(dataset: DicomJsonDataset, depth = 0): TagRow[] {
  const rows: TagRow[] = [];
  for (const tag of Object.keys(dataset).sort()) {
    const element = dataset[tag];
    const row = { tag: `(${tag.slice(0, 4)},${tag.slice(4)})`, keyword: keywordOf(tag), vr: element.vr, depth };
    if (element.vr === 'SQ') {
      const items = (element.Value ?? []) as DicomJsonDataset[];
      rows.push({ ...row, value: `${items.length} item${items.length === 1 ? '' : 's'}` });
      items.forEach((item, index) => {
        rows.push({ tag: '', keyword: `Item ${index + 1}`, vr: '', value: '', depth: depth + 1 });
        rows.push(...tagRows(item, depth + 2));
      });
    } else {
      rows.push({ ...row, value: valueText(element) });
    }
  }
  return rows;
}

/** The stored header of one instance of a series of this study: the first by instance number, or the one asked for. */
export async function instanceHeader(
  db: Database,
  studyId: string,
  seriesInstanceUid: string,
  sopInstanceUid?: string,
): Promise<{ sopInstanceUid: string; instanceNumber: number | null; rows: TagRow[] } | null> {
  const instance = await db.instance.findFirst({
    where: { series: { seriesInstanceUid, studyRef: studyId }, ...(sopInstanceUid ? { sopInstanceUid } : {}) },
    orderBy: [{ instanceNumber: 'asc' }, { id: 'asc' }],
    select: { sopInstanceUid: true, instanceNumber: true, metadata: true },
  });
  if (!instance) return null;
  let dataset: DicomJsonDataset = {};
  try {
    dataset = JSON.parse(instance.metadata) as DicomJsonDataset;
  } catch {
    // an unreadable stored header shows as an empty table, not an error page
  }
  return { sopInstanceUid: instance.sopInstanceUid, instanceNumber: instance.instanceNumber, rows: tagRows(dataset) };
}
