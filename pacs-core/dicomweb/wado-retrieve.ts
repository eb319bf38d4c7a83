// WADO-RS retrieve of studies, series and instances (PS3.18 10.4.1.1.1):
// multipart/related; type="application/dicom", one Part 10 file per part.
//
// Files are streamed from the blob store one part at a time (a study can be
// gigabytes). Transfer syntax per PS3.18 8.7.3.5: `transfer-syntax=*` sends
// the file as stored; an explicit UID is honoured if it is the stored one or
// if we can decode to it; no parameter means Explicit VR Little Endian
// (the default transfer syntax of application/dicom, PS3.18 8.7.3.5.2).
import type { IncomingHttpHeaders } from 'node:http';
import { ArchiveError } from '../errors';
import { SUPPORTED_TRANSFER_SYNTAXES } from '../dicom/transfer-syntax';
import { acceptHeader, describeAccept, partPreferences, rangeCovers, type PartPreference } from './accept';
import { multipartContentType, newBoundary, writeMultipart, type MultipartPart } from './multipart-write';
import { auditRetrieve, listInstances, lookupForRead, type InstanceRecord, type LookupUids } from './wado-lookup';
import { canTranscodeFile, transcodeFile, TS } from './wado-transcode';
import type { DicomwebRequest, DicomwebResponse } from './types';

const DICOM = 'application/dicom';

interface InstanceChoice {
  instance: InstanceRecord;
  transferSyntaxUid: string;
}

/** First preference (in the client's order) under which the stored file can be sent; null = none. */
export function chooseTransferSyntax(preferences: PartPreference[], storedTs: string): string | null {
  for (const preference of preferences) {
    if (!rangeCovers(preference.partType, DICOM)) continue;
    const requested = preference.transferSyntax;
    const target = requested === '*' ? storedTs : (requested ?? TS.EXPLICIT_LE);
    if (canTranscodeFile(storedTs, target)) return target;
  }
  return null;
}

function describeSyntax(uid: string): string {
  const name = SUPPORTED_TRANSFER_SYNTAXES[uid]?.name;
  return name ? `${uid} (${name})` : uid;
}

/** Chooses a transfer syntax for every instance up front: a 406 must come before the first byte. */
function chooseAll(instances: InstanceRecord[], preferences: PartPreference[], headers: IncomingHttpHeaders): InstanceChoice[] {
  const choices: InstanceChoice[] = [];
  const unservable = new Set<string>();
  for (const instance of instances) {
    const transferSyntaxUid = chooseTransferSyntax(preferences, instance.transferSyntaxUid);
    if (transferSyntaxUid) choices.push({ instance, transferSyntaxUid });
    else unservable.add(instance.transferSyntaxUid);
  }
  if (unservable.size > 0) {
    throw new ArchiveError(
      'NOT_ACCEPTABLE',
      `cannot serve ${[...unservable].map(describeSyntax).join(', ')} as "${describeAccept(headers)}": ` +
        'ask for transfer-syntax=* (as stored) or one of the stored syntaxes',
    );
  }
  return choices;
}

export function instanceUrl(baseUrl: string, studyUid: string, instance: InstanceRecord): string {
  return `${baseUrl}/studies/${studyUid}/series/${instance.seriesInstanceUid}/instances/${instance.sopInstanceUid}`;
}

async function* instanceParts(request: DicomwebRequest, studyUid: string, choices: InstanceChoice[]): AsyncGenerator<MultipartPart> {
  for (const { instance, transferSyntaxUid } of choices) {
    yield {
      contentType: `${DICOM}; transfer-syntax=${transferSyntaxUid}`,
      contentLocation: instanceUrl(request.baseUrl, studyUid, instance),
      body: await instanceBody(request, instance, transferSyntaxUid),
    };
  }
}

async function instanceBody(request: DicomwebRequest, instance: InstanceRecord, transferSyntaxUid: string) {
  const store = request.archive.store;
  if (transferSyntaxUid === instance.transferSyntaxUid) return store.stream(instance.blobKey);
  return transcodeFile(await store.get(instance.blobKey), instance.transferSyntaxUid, transferSyntaxUid);
}

/** GET /studies/{s}, /studies/{s}/series/{se}, /studies/{s}/series/{se}/instances/{i} */
export async function retrieveDicom(request: DicomwebRequest, uids: LookupUids): Promise<DicomwebResponse> {
  const target = await lookupForRead(request, uids);
  const instances = await listInstances(request.archive, target);
  if (instances.length === 0) throw new ArchiveError('NOT_FOUND', `no instances stored for ${request.path}`);
  const all = partPreferences(acceptHeader(request.headers), DICOM);
  // A single-part application/dicom answer only makes sense for one instance.
  const multipart = all.filter((p) => p.multipart);
  const singlePart = target.instance ? all.filter((p) => !p.multipart) : [];
  const preferMultipart = multipart.length > 0 && (singlePart.length === 0 || multipart[0].q >= singlePart[0].q);

  if (!preferMultipart && singlePart.length > 0 && target.instance) {
    const [choice] = chooseAll(instances, singlePart, request.headers);
    await auditRetrieve(request, target.study);
    return {
      status: 200,
      headers: { 'Content-Type': `${DICOM}; transfer-syntax=${choice.transferSyntaxUid}` },
      body: await instanceBody(request, choice.instance, choice.transferSyntaxUid),
    };
  }
  if (multipart.length === 0) {
    throw new ArchiveError('NOT_ACCEPTABLE', `"${describeAccept(request.headers)}" does not allow multipart/related; type="${DICOM}"`);
  }
  const choices = chooseAll(instances, multipart, request.headers);
  const boundary = newBoundary();
  await auditRetrieve(request, target.study);
  return {
    status: 200,
    headers: { 'Content-Type': multipartContentType(DICOM, boundary) },
    body: writeMultipart(instanceParts(request, target.study.studyInstanceUid, choices), boundary),
  };
}
