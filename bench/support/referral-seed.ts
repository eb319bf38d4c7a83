// Many second-opinion cases written straight into the database (createMany in
// batches), for bench/referral-inbox.ts: what an expert's inbox, a doctor's
// "My referrals" and the header's counts read when the table holds N cases.
// Deterministic (a seeded generator): the same N gives the same rows.
//
// What is written: requesting clinics with their doctors; receiving services
// (the measured one among them) with their experts; one patient and one
// study per case (modalities mixed: CT, MR, CR, US, PT/CT, CT+SR), a prior
// study of the same patient on ~30% of the cases; Referral rows of every
// status, priority and due time; ReferralStudy rows; a few messages on cases
// in progress, on hold or signed. Not written: events, audit, grants, jobs
// (the lists and counts do not read them).
import { randomUUID } from 'node:crypto';
import type { Database } from '../../prisma/database';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { DEFAULT_TURNAROUND_MINUTES, type ReferralPriority } from '../../lib/referrals/due-time';
import type { ReferralStatus } from '../../lib/referrals/referral-states';

export interface SeedTargets {
  /** The measured expert's service: `addressedToService` of the cases wait there (REQUESTED, unclaimed) */
  serviceId: string;
  serviceFacilityId: string;
  /** The measured expert: `ownedByExpert` cases are theirs (open and done) */
  expertId: string;
  /** The measured doctor: every fifth case is theirs */
  doctorId: string;
  doctorFacilityId: string;
}

export interface SeedOptions {
  cases: number;
  addressedToService: number;
  ownedByExpert: number;
  batch?: number;
}

export interface SeedOutcome {
  referrals: number;
  referralStudies: number;
  messages: number;
  studies: number;
  /** Of the measured doctor */
  doctorCases: number;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

/** mulberry32: small, fast, seeded */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T>(random: () => number, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let at = random() * total;
  for (const [value, weight] of choices) {
    at -= weight;
    if (at < 0) return value;
  }
  return choices[choices.length - 1][0];
}

const STATUSES: readonly (readonly [ReferralStatus, number])[] = [
  ['DRAFT', 4], ['REQUESTED', 8], ['ACCEPTED', 5], ['DECLINED', 3], ['IN_PROGRESS', 8], ['ON_HOLD', 3], ['COMPLETED', 12], ['CLOSED', 50], ['CANCELLED', 7],
];
const OWNED_STATUSES: readonly (readonly [ReferralStatus, number])[] = [['ACCEPTED', 2], ['IN_PROGRESS', 3], ['ON_HOLD', 1], ['COMPLETED', 2], ['CLOSED', 4]];
const PRIORITIES: readonly (readonly [ReferralPriority, number])[] = [['STAT', 10], ['URGENT', 25], ['ROUTINE', 65]];
const MODALITIES: readonly (readonly [string, number])[] = [['\\CT\\', 40], ['\\MR\\', 30], ['\\CR\\', 10], ['\\US\\', 10], ['\\CT\\SR\\', 5], ['\\CT\\PT\\', 5]];
const HAS_OWNER: readonly ReferralStatus[] = ['ACCEPTED', 'IN_PROGRESS', 'ON_HOLD', 'COMPLETED', 'CLOSED'];
const QUESTIONS = ['Acute ischaemia? Please compare with the prior.', 'Mass lesion: nature and extent?', 'Fracture or artefact?', 'Pulmonary embolism?', 'Progression since the last study?'];

async function inBatches<T>(rows: readonly T[], size: number, write: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let at = 0; at < rows.length; at += size) await write(rows.slice(at, at + size));
}

export async function seedReferrals(db: Database, targets: SeedTargets, options: SeedOptions): Promise<SeedOutcome> {
  const random = generator(15_000 + options.cases);
  const batch = options.batch ?? 1000;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const now = Date.now();

  // The other parties: 4 clinics × 4 doctors; the measured service's 2 colleagues; 4 more services of 2 experts
  const doctors: { id: string; facilityId: string }[] = [];
  for (let c = 1; c <= 4; c++) {
    const clinic = await createFacility(db, `Bench Clinic ${c}`);
    for (let d = 1; d <= 4; d++) {
      const user = await createUser(db, { email: `doctor${d}@clinic${c}.bench`, name: `Doctor ${c}.${d}`, memberships: [{ facilityId: clinic.id, role: 'REFERRING' }] });
      doctors.push({ id: user.id, facilityId: clinic.id });
    }
  }
  const services: { id: string; facilityId: string; members: string[] }[] = [];
  const colleagues: string[] = [];
  for (let e = 1; e <= 2; e++) {
    const user = await createUser(db, { email: `colleague${e}@neuro.bench`, name: `Colleague ${e}`, memberships: [{ facilityId: targets.serviceFacilityId, role: 'EXPERT' }] });
    await db.serviceMember.create({ data: { serviceId: targets.serviceId, userId: user.id } });
    colleagues.push(user.id);
  }
  services.push({ id: targets.serviceId, facilityId: targets.serviceFacilityId, members: colleagues });
  const university = await createFacility(db, 'Bench University Hospital');
  for (const [name, facilityId] of [['Chest', targets.serviceFacilityId], ['MSK', targets.serviceFacilityId], ['Cardiac', university.id], ['Paediatric radiology', university.id]] as const) {
    const service = await db.service.create({ data: { facilityId, name } });
    const members: string[] = [];
    for (let e = 1; e <= 2; e++) {
      const user = await createUser(db, { email: `expert${e}@${name.replace(/\W/g, '').toLowerCase()}.bench`, name: `${name} expert ${e}`, memberships: [{ facilityId, role: 'EXPERT' }] });
      await db.serviceMember.create({ data: { serviceId: service.id, userId: user.id } });
      members.push(user.id);
    }
    services.push({ id: service.id, facilityId, members });
  }
  const otherServices = services.slice(1);

  const patients: { id: string; facilityId: string; patientId: string; name: string; nameSearch: string }[] = [];
  const studies: { id: string; facilityId: string; patientRef: string; studyInstanceUid: string; modalities: string; studyDate: string }[] = [];
  const referrals: Record<string, unknown>[] = [];
  const referralStudies: { referralId: string; studyRef: string; studyFacilityId: string; studyInstanceUid: string; primary: boolean; position: number }[] = [];
  const messages: { referralId: string; authorId: string; body: string; kind: string; createdAt: Date }[] = [];
  let doctorCases = 0;

  for (let i = 0; i < options.cases; i++) {
    const requester = i % 5 === 0 ? { id: targets.doctorId, facilityId: targets.doctorFacilityId } : pick(doctors);
    if (requester.id === targets.doctorId) doctorCases += 1;
    const special = i < options.addressedToService ? 'addressed' : i < options.addressedToService + options.ownedByExpert ? 'owned' : null;
    const status: ReferralStatus = special === 'addressed' ? 'REQUESTED' : special === 'owned' ? weighted(random, OWNED_STATUSES) : weighted(random, STATUSES);
    const priority = weighted(random, PRIORITIES);

    // The addressee and the owner: the measured service only as the special rows say (so the inbox holds what is asked)
    let targetServiceId: string | null = null;
    let targetUserId: string | null = null;
    let targetFacilityId: string;
    let ownerId: string | null = null;
    if (special) {
      targetServiceId = targets.serviceId;
      targetFacilityId = targets.serviceFacilityId;
      if (special === 'owned') ownerId = targets.expertId;
    } else {
      const service = status === 'REQUESTED' ? pick(otherServices) : pick(services);
      targetFacilityId = service.facilityId;
      if (random() < 0.7) targetServiceId = service.id;
      else targetUserId = pick(service.members);
      if (HAS_OWNER.includes(status)) ownerId = targetUserId ?? pick(service.members);
    }

    // Times: open cases were sent within 1.5 turnarounds (some overdue), finished ones within half a year
    const turnaround = DEFAULT_TURNAROUND_MINUTES[priority] * MINUTE;
    const open = ['REQUESTED', 'ACCEPTED', 'IN_PROGRESS', 'ON_HOLD', 'DECLINED'].includes(status);
    const createdAt = status === 'DRAFT' ? now - random() * 7 * DAY : open ? now - random() * 1.5 * turnaround - MINUTE : now - 2 * DAY - random() * 180 * DAY;
    const requestedAt = status === 'DRAFT' ? null : createdAt + random() * 5 * MINUTE;
    const dueAt = requestedAt === null ? null : requestedAt + turnaround;
    const completedAt = requestedAt !== null && (status === 'COMPLETED' || status === 'CLOSED') ? requestedAt + random() * turnaround : null;
    const closedAt = completedAt !== null && status === 'CLOSED' ? completedAt + random() * DAY : status === 'CANCELLED' && requestedAt !== null ? requestedAt + random() * turnaround : null;
    const updatedAt = Math.max(createdAt, requestedAt ?? 0, completedAt ?? 0, closedAt ?? 0);

    const patient = { id: randomUUID(), facilityId: requester.facilityId, patientId: `RB${String(i).padStart(6, '0')}`, name: `Bench^Patient${i}`, nameSearch: `BENCH PATIENT${i}` };
    patients.push(patient);
    const caseStudies = random() < 0.3 ? 2 : 1;
    const referralId = randomUUID();
    for (let position = 0; position < caseStudies; position++) {
      const study = { id: randomUUID(), facilityId: requester.facilityId, patientRef: patient.id, studyInstanceUid: `1.2.826.0.1.3680043.15.${i}.${position + 1}`, modalities: weighted(random, MODALITIES), studyDate: new Date(createdAt - position * 200 * DAY).toISOString().slice(0, 10).replace(/-/g, '') };
      studies.push(study);
      referralStudies.push({ referralId, studyRef: study.id, studyFacilityId: study.facilityId, studyInstanceUid: study.studyInstanceUid, primary: position === 0, position });
    }
    referrals.push({
      id: referralId,
      facilityId: requester.facilityId,
      patientRef: patient.id,
      patientId: patient.patientId,
      patientName: patient.name,
      requesterId: requester.id,
      status,
      priority,
      question: pick(QUESTIONS),
      history: 'Bench case.',
      targetUserId,
      targetServiceId,
      targetFacilityId,
      ownerId,
      dueAt: dueAt === null ? null : new Date(dueAt),
      requestedAt: requestedAt === null ? null : new Date(requestedAt),
      completedAt: completedAt === null ? null : new Date(completedAt),
      closedAt: closedAt === null ? null : new Date(closedAt),
      revision: 1 + (HAS_OWNER.includes(status) ? 2 : 1),
      createdAt: new Date(createdAt),
      updatedAt: new Date(updatedAt),
    });
    if (ownerId && (status === 'ON_HOLD' || status === 'COMPLETED' || random() < 0.3)) {
      const count = 1 + Math.floor(random() * 3);
      for (let m = 0; m < count; m++) {
        messages.push({ referralId, authorId: m % 2 ? requester.id : ownerId, body: m % 2 ? 'Answer from the referring doctor.' : 'Question from the expert.', kind: m % 2 ? 'ANSWER' : 'QUESTION', createdAt: new Date(Math.min(now, (requestedAt ?? createdAt) + (m + 1) * MINUTE)) });
      }
    }
  }

  await inBatches(patients, batch, (rows) => db.patient.createMany({ data: rows }));
  await inBatches(studies, batch, (rows) => db.study.createMany({ data: rows }));
  await inBatches(referrals, batch, (rows) => db.referral.createMany({ data: rows as never }));
  await inBatches(referralStudies, batch, (rows) => db.referralStudy.createMany({ data: rows }));
  await inBatches(messages, batch, (rows) => db.referralMessage.createMany({ data: rows }));
  return { referrals: referrals.length, referralStudies: referralStudies.length, messages: messages.length, studies: studies.length, doctorCases };
}
