// Orthanc from Debian (`orthanc` + `orthanc-dicomweb`) as the peer archive the
// benches compare with. The launcher itself is the tests' one
// (test/support/orthanc.ts): one way to start Orthanc, one set of settings.
import { orthancMissing, startOrthanc as startOrthancPeer, type OrthancOptions, type RunningOrthanc as OrthancPeer } from '../../test/support/orthanc';

export { findDicomwebPlugin, orthancMissing } from '../../test/support/orthanc';

/** Orthanc as a bench server: the peer handle plus the fields the DICOMweb timing code reads. */
export interface RunningOrthanc extends OrthancPeer {
  name: 'Orthanc';
  headers: Record<string, string>;
}

/** Orthanc with its storage, config and log in `workDir` (the bench deletes it, or keeps it with --keep). */
export async function startOrthanc(workDir: string, options: Omit<OrthancOptions, 'workDir'> = {}): Promise<RunningOrthanc> {
  const missing = orthancMissing({ dicomweb: options.dicomweb });
  if (missing) throw new Error(missing);
  const peer = await startOrthancPeer({ name: 'TELEPACS-BENCH', ...options, workDir });
  return Object.assign(peer, { name: 'Orthanc' as const, headers: {} });
}
