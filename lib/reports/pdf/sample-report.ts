// A sample report for the tests, the README's screenshot and the timing note:
// three pages, a Cyrillic patient name, Latin diacritics, a logo and four key
// images (drawn with sharp from SVG, so no image files are checked in).
// Run `npx tsx lib/reports/pdf/sample-report.ts out.pdf` to write a signed sample.
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { ReportPdfAnnotation, ReportPdfInput } from './report-pdf-input';

async function svgPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A grey axial "slice" with a bright lesion; its measurements are drawn by the renderer (keyImageAnnotations). */
function keyImageSvg(seed: number): string {
  const lesion = 180 + seed * 25;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
  <defs><radialGradient id="g"><stop offset="0" stop-color="#bbb"/><stop offset="0.8" stop-color="#666"/><stop offset="1" stop-color="#222"/></radialGradient></defs>
  <rect width="512" height="512" fill="#000"/>
  <ellipse cx="256" cy="256" rx="200" ry="230" fill="#ddd"/>
  <ellipse cx="256" cy="256" rx="184" ry="214" fill="url(#g)"/>
  <circle cx="${lesion}" cy="${200 + seed * 20}" r="${18 + seed * 3}" fill="#f2f2f2"/>
  <text x="12" y="30" fill="#fff" font-family="sans-serif" font-size="20">Im ${40 + seed * 7}</text>
</svg>`;
}

/** What was measured on each sample key image (512 × 512 pixels): the lesion's diameter, an ellipse around it on the first, an arrow on the second */
function keyImageAnnotations(seed: number): ReportPdfAnnotation[] {
  const [x, y, radius] = [180 + seed * 25, 200 + seed * 20, 18 + seed * 3];
  const length: ReportPdfAnnotation = { tool: 'Length', imagePoints: [[x - radius, y], [x + radius, y]], description: `Length ${(12 + seed * 2.5).toFixed(1)} mm` };
  if (seed === 0) {
    const ellipse: ReportPdfAnnotation = {
      tool: 'EllipticalROI',
      imagePoints: [[x, y + radius + 6], [x, y - radius - 6], [x - radius - 6, y], [x + radius + 6, y]],
      description: 'Ellipse · area 151.3 mm² · mean 58 ± 6 HU',
    };
    return [length, ellipse];
  }
  if (seed === 1) return [length, { tool: 'ArrowAnnotate', imagePoints: [[x + radius, y - radius], [x + 110, y - 90]], text: 'oedema', description: 'Arrow “oedema”' }];
  return [length];
}

const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120">
  <rect x="4" y="4" width="112" height="112" rx="18" fill="#1d5fa8"/>
  <rect x="50" y="22" width="20" height="76" fill="#fff"/><rect x="22" y="50" width="76" height="20" fill="#fff"/>
  <text x="128" y="70" font-family="sans-serif" font-size="34" font-weight="bold" fill="#1d5fa8">KDB</text>
</svg>`;

const FINDINGS = [
  'Brain parenchyma: a hyperdense extra-axial lesion in the right frontal convexity, 14.5 mm, with a broad dural base and mild surrounding oedema. No midline shift. Basal cisterns are patent.',
  'Ventricles and sulci are of normal size and configuration for the age. No hydrocephalus.',
  'No intracranial haemorrhage. No acute territorial infarct. Grey–white matter differentiation is preserved.',
  'Skull and skull base: no fracture. Mild hyperostosis of the inner table adjacent to the lesion.',
  'Paranasal sinuses and mastoid air cells are clear. Orbits are unremarkable.',
  'Zusätzliche Bemerkung für den Zuweiser (Dr. Müller): Befund wurde telefonisch übermittelt. Poznámka: pacientka přeložena na neurochirurgii, Łódź — zgłoszono.',
];

export async function sampleReportInput(overrides: Partial<ReportPdfInput> = {}): Promise<ReportPdfInput> {
  const keyImages = await Promise.all(
    [0, 1, 2, 3].map(async (seed) => ({
      png: await svgPng(keyImageSvg(seed)),
      caption: `Series 3, image ${40 + seed * 7}: lesion (measured in the teleconsultation)`,
      frame: { columns: 512, rows: 512 },
      annotations: keyImageAnnotations(seed),
    })),
  );
  return {
    documentTitle: 'CT head report',
    facility: {
      name: 'Klinička bolnica Dubrava — Radiologija',
      address: 'Avenija Gojka Šuška 6, 10000 Zagreb, Hrvatska',
      phone: '+385 1 2902 444',
      logo: await svgPng(LOGO_SVG),
    },
    patient: { name: 'Иванов^Иван', mrn: 'MRN-004711', birthDate: '19580412', sex: 'M' },
    study: { description: 'CT Kopf nativ / CT glave', date: '20261205', accession: 'ACC-2026-1205-17', modalities: ['CT'] },
    referringPhysician: 'Müller^Jürgen^^Dr.',
    comparisonStudyLabel: 'CT head 2025-11-02, ACC-2025-1102-03',
    sections: [
      { title: 'Clinical information', text: 'Headache for three weeks, new left-sided weakness. Known hypertension. Question: space-occupying lesion?' },
      { title: 'Technique', text: 'Non-contrast axial CT of the head, 120 kV, 0.625 mm collimation, reconstructions 1 mm and 5 mm in brain and bone kernels; coronal and sagittal MPR.' },
      { title: 'Comparison', text: 'CT head of 2025-11-02: the lesion was not present then (or below 5 mm).' },
      { title: 'Findings', text: Array.from({ length: 3 }, () => FINDINGS.join('\n\n')).join('\n\n') },
      { title: 'Impression', text: 'Extra-axial right frontal lesion of 14.5 mm, most likely a meningioma, new since 2025-11-02. Recommend contrast-enhanced MRI of the brain. Заключение: менингиома справа.' },
    ],
    keyImages,
    status: 'FINAL',
    version: 1,
    amendment: null,
    signature: { signerName: 'Horvat^Ana^^Dr.', signedAt: new Date('2026-12-06T15:40:00Z') },
    ...overrides,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { renderReportPdf } = await import('./render-report-pdf');
  const { facilitySigner } = await import('./facility-signing-certificate');
  const { signReportPdf } = await import('./sign-pdf');
  const output = process.argv[2] ?? 'sample-report.pdf';
  const input = await sampleReportInput();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'report-pdf-'));
  const signer = await facilitySigner(dataDir, 'sample-facility', input.facility.name);
  const started = performance.now();
  const pdf = await renderReportPdf(input);
  const signed = await signReportPdf(pdf, { ...signer, signerName: 'Dr. Ana Horvat', location: input.facility.name });
  console.log(`render ${Math.round(performance.now() - started)} ms (including signing), ${signed.length} bytes → ${output}`);
  writeFileSync(output, signed);
}
