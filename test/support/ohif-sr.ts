// OHIF's own reading of a DICOM SR, for tests: the Cornerstone3D adapters
// (@cornerstonejs/adapters) and dcmjs exactly as compiled into the OHIF
// 3.13.2 dist we serve, run in a child process (ohif-sr-child.cjs) on the
// report's WADO-RS metadata. It answers what OHIF's "load SR" (hydration)
// makes of each measurement group: which tool, which handles, which text.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OHIF_DIST_DIR } from '../../lib/ohif/serve-ohif';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ohif-sr-child.cjs');

/** What Cornerstone needs to place an image in patient space (from the image's header). */
export interface OhifImagePlane {
  imagePositionPatient: number[];
  imageOrientationPatient: number[];
  /** PixelSpacing (row spacing, column spacing) */
  pixelSpacing: number[];
  rows: number;
  columns: number;
  frameOfReferenceUid: string;
  numberOfFrames: number;
}

/** One hydrated annotation, as the adapters return it (the fields tests look at). */
export interface OhifToolStateEntry {
  TrackingUniqueIdentifier?: string;
  annotation: {
    metadata: { toolName: string; referencedImageId?: string };
    data: {
      handles?: { points?: number[][]; arrowFirst?: boolean };
      text?: string;
      label?: string;
      contour?: { polyline: number[][]; closed: boolean };
      cachedStats?: Record<string, Record<string, unknown>>;
      frameNumber?: number;
    };
  };
}

export interface OhifSrReading {
  /** Tracking Identifier → the adapter's tool type (null: OHIF would not hydrate it) */
  adapters: Record<string, string | null>;
  /** MeasurementReport.generateToolState: tool type → hydrated annotations */
  toolState: Record<string, OhifToolStateEntry[]>;
  /** What the adapters warned (a group they could not read) */
  warnings: string[];
}

export function ohifDistMissing(): string | undefined {
  return existsSync(path.join(OHIF_DIST_DIR, 'index.html')) ? undefined : `the OHIF dist is not installed in ${OHIF_DIST_DIR} (npm install)`;
}

/** Runs OHIF's SR hydration on `instance` (the SR's DICOM JSON) with the referenced images' planes. */
export async function readSrWithOhif(instance: unknown, images: Record<string, OhifImagePlane>): Promise<OhifSrReading> {
  const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-ohif-sr-'));
  try {
    const inputFile = path.join(dir, 'input.json');
    writeFileSync(inputFile, JSON.stringify({ instance, images }));
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      // The 17 MB app bundle needs more than the default old-space on some machines.
      const child = spawn(process.execPath, ['--max-old-space-size=2048', CHILD, OHIF_DIST_DIR, inputFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.once('error', reject);
      child.once('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ code: exitCode, stdout: out, stderr: err });
      });
    });
    if (code !== 0) throw new Error(`OHIF SR reader exited with ${code}: ${stderr.slice(-4000)}`);
    return JSON.parse(stdout) as OhifSrReading;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
