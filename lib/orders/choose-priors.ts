// Which earlier studies of an ordered patient a radiologist will want beside
// the new one: the record's studies of the same region — a series of the
// ordered body part, else the ordered modality, else a word of the procedure in
// the study description — most relevant and newest first, at most three.
import type { Database } from '../../prisma/database';

export const MAX_PRIORS = 3;

export interface OrderForPriors {
  patientRef: string;
  studyInstanceUid: string;
  modality: string;
  bodyPart: string;
  requestedProcedureText: string;
}

const IGNORED_WORDS = new Set(['WITH', 'WITHOUT', 'CONTRAST', 'AND', 'THE', 'OF', 'LEFT', 'RIGHT', 'SCAN', 'EXAM', 'STUDY', 'VIEW', 'VIEWS']);

export async function choosePriors(db: Pick<Database, 'study'>, order: OrderForPriors): Promise<{ id: string; studyInstanceUid: string; score: number }[]> {
  const studies = await db.study.findMany({
    where: { patientRef: order.patientRef, studyInstanceUid: { not: order.studyInstanceUid } },
    orderBy: [{ studyDate: 'desc' }, { createdAt: 'desc' }],
    take: 200,
    select: { id: true, studyInstanceUid: true, modalities: true, description: true, series: { select: { bodyPart: true } } },
  });
  const bodyPart = order.bodyPart.trim().toUpperCase();
  const words = order.requestedProcedureText
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((word) => word.length >= 3 && !IGNORED_WORDS.has(word) && word !== order.modality.toUpperCase());
  const scored = studies.map((study) => {
    let score = 0;
    if (bodyPart && study.series.some((series) => series.bodyPart.toUpperCase() === bodyPart)) score += 4;
    if (order.modality && study.modalities.split('\\').includes(order.modality.toUpperCase())) score += 2;
    const description = study.description.toUpperCase();
    if (words.some((word) => description.includes(word))) score += 1;
    return { id: study.id, studyInstanceUid: study.studyInstanceUid, score };
  });
  // Stable sort keeps newest first among equals
  return scored.filter((study) => study.score > 0).sort((a, b) => b.score - a.score).slice(0, MAX_PRIORS);
}
