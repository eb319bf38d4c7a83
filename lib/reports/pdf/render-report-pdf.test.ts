// The report PDF as a reader and poppler see it: pdftotext extracts the words
// (Cyrillic too), pdfinfo counts the pages, PRELIMINARY is on every page.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { DomainError } from '../../errors/domain-error';
import { renderReportPdf } from './render-report-pdf';
import { sampleReportInput } from './sample-report';

const workDir = mkdtempSync(path.join(os.tmpdir(), 'report-pdf-test-'));

function pdfFile(name: string, bytes: Buffer): string {
  const file = path.join(workDir, name);
  writeFileSync(file, bytes);
  return file;
}

function pageCount(file: string): number {
  const pages = /^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1];
  return Number(pages);
}

function pageText(file: string, page: number): string {
  return execFileSync('pdftotext', ['-f', String(page), '-l', String(page), '-layout', file, '-'], { encoding: 'utf8' });
}

/** The words as laid out on the page (-layout keeps a label beside its value) */
function documentText(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe('report PDF', () => {
  it('prints a three-page report whose Cyrillic name, diacritics and impression pdftotext extracts', async () => {
    const file = pdfFile('final.pdf', await renderReportPdf(await sampleReportInput()));
    assert.ok(pageCount(file) >= 3, `pages: ${pageCount(file)}`);
    const text = documentText(file);
    assert.match(text, /Иванов, Иван/);
    assert.match(text, /Klinička bolnica Dubrava/);
    assert.match(text, /Müller, Dr\. Jürgen/);
    assert.match(text, /Extra-axial right frontal lesion of 14\.5 mm, most likely a meningioma/);
    assert.match(text, /Заключение: менингиома справа/);
    assert.match(text, /Compared with\s+CT head 2025-11-02/);
    assert.match(text, /4\. Series 3, image 61/, 'the fourth key image caption');
    assert.match(text, /Electronically signed by Horvat, Dr\. Ana/);
    assert.match(text, /Signed at 2026-12-06 15:40 UTC/);
    const pages = pageCount(file);
    for (let page = 1; page <= pages; page += 1) assert.match(pageText(file, page), new RegExp(`Page ${page} of ${pages}`));
    assert.doesNotMatch(text, /PRELIMINARY/);
  });

  it('marks a preliminary report PRELIMINARY on every page and prints no signature', async () => {
    const file = pdfFile('preliminary.pdf', await renderReportPdf(await sampleReportInput({ status: 'PRELIMINARY', signature: null })));
    const pages = pageCount(file);
    assert.ok(pages >= 3);
    for (let page = 1; page <= pages; page += 1) assert.match(pageText(file, page), /PRELIMINARY REPORT — NOT SIGNED/, `page ${page}`);
    const text = documentText(file);
    assert.doesNotMatch(text, /Electronically signed/);
    assert.match(text, /Not signed: PRELIMINARY report/);
  });

  it('names the author beside the signer of a co-signed report, and only the signer otherwise', async () => {
    const signedAt = new Date('2026-12-06T18:00:00Z');
    const cosigned = documentText(pdfFile('cosigned.pdf', await renderReportPdf(await sampleReportInput({ keyImages: [], signature: { signerName: 'Kovač^Olga', signedAt, authorName: 'Petrov^Ivan' } }))));
    assert.match(cosigned, /Electronically signed by Kovač, Olga/);
    assert.match(cosigned, /Written by Petrov, Ivan/);
    const own = documentText(pdfFile('own.pdf', await renderReportPdf(await sampleReportInput({ keyImages: [], signature: { signerName: 'Kovač^Olga', signedAt } }))));
    assert.match(own, /Electronically signed by Kovač, Olga/);
    assert.doesNotMatch(own, /Written by/);
  });

  it('says why an amended report was amended and which version it supersedes', async () => {
    const input = await sampleReportInput({
      status: 'AMENDED',
      version: 2,
      amendment: { reason: 'Lesion size corrected after review: 15.2 mm', supersededNote: 'Supersedes version 1 signed 2026-12-06 15:40 UTC by Horvat, Dr. Ana.' },
      keyImages: [],
    });
    const text = documentText(pdfFile('amended.pdf', await renderReportPdf(input)));
    assert.match(text, /AMENDED · version 2/);
    assert.match(text, /Amended: Lesion size corrected after review: 15\.2 mm/);
    assert.match(text, /Supersedes version 1 signed 2026-12-06 15:40 UTC/);
    assert.doesNotMatch(text, /Key images/);
  });

  it('refuses a key image that is not an image, naming it, and prints a report whose logo is unreadable', async () => {
    const input = await sampleReportInput();
    const keyImages = [input.keyImages[0]!, { png: Buffer.from('not an image'), caption: 'broken' }];
    await assert.rejects(renderReportPdf({ ...input, keyImages }), (error: unknown) => {
      assert.ok(error instanceof DomainError);
      assert.equal(error.code, 'INVALID_INPUT');
      assert.equal(error.userMessage, 'Key image 2 is not a readable PNG or JPEG image');
      return true;
    });
    const file = pdfFile('broken-logo.pdf', await renderReportPdf({ ...input, facility: { ...input.facility, logo: Buffer.from('junk') } }));
    assert.match(documentText(file), /Klinička bolnica Dubrava/);
  });

  it("draws a key image's annotations over it where they were drawn, and lists them under its caption", async () => {
    // A blue image of 200 × 100 pixels: wider than its cell is tall, so it is scaled and centred in the cell
    const png = await sharp({ create: { width: 200, height: 100, channels: 3, background: { r: 0, g: 0, b: 255 } } }).png().toBuffer();
    const annotations = [
      { tool: 'Length', imagePoints: [[50, 50], [150, 50]], description: 'Length 23.4 mm' },
      { tool: 'RectangleROI', imagePoints: [[20, 10], [40, 10], [20, 30], [40, 30]], description: 'Rectangle · area 40 mm²' },
    ] as const;
    const input = await sampleReportInput({ sections: [{ title: 'Impression', text: 'Measured.' }], keyImages: [{ png, caption: 'Series 1, image 1', frame: { columns: 200, rows: 100 }, annotations: [...annotations] }] });
    const file = pdfFile('annotated.pdf', await renderReportPdf(input));
    const text = documentText(file);
    assert.match(text, /1 Length 23\.4 mm/);
    assert.match(text, /2 Rectangle · area 40 mm²/);

    // Rasterised by poppler: find the printed image (blue), then look for the yellow strokes inside it
    execFileSync('pdftoppm', ['-png', '-r', '100', '-f', '1', '-l', '1', '-singlefile', file, path.join(workDir, 'annotated')]);
    const { data, info } = await sharp(path.join(workDir, 'annotated.png')).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => Array.from(data.subarray((Math.round(y) * info.width + Math.round(x)) * info.channels, (Math.round(y) * info.width + Math.round(x)) * info.channels + 3));
    const isBlue = ([r, g, b]: number[]) => b > 200 && r < 60 && g < 60;
    const isYellow = ([r, g, b]: number[]) => r > 200 && g > 170 && b < 100;
    let [left, top, right, bottom] = [info.width, info.height, -1, -1];
    for (let y = 0; y < info.height; y += 1) {
      for (let x = 0; x < info.width; x += 1) {
        if (!isBlue(pixel(x, y))) continue;
        [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
      }
    }
    assert.ok(right > left && bottom > top, 'the key image is printed');
    const at = (column: number, row: number): [number, number] => [left + ((right + 1 - left) * column) / 200, top + ((bottom + 1 - top) * row) / 100];
    /** Yellow within a pixel or two of the point (anti-aliased, one-point-wide strokes) */
    const yellowNear = ([x, y]: [number, number]) => [-2, -1, 0, 1, 2].some((dy) => [-2, -1, 0, 1, 2].some((dx) => isYellow(pixel(x + dx, y + dy))));
    for (const column of [60, 100, 140]) assert.ok(yellowNear(at(column, 50)), `the Length passes through (${column}, 50)`);
    assert.ok(!yellowNear(at(100, 75)) && !yellowNear(at(30, 50)) && !yellowNear(at(170, 50)), 'and nowhere else on its row or below');
    for (const corner of [at(20, 20), at(40, 20), at(30, 10), at(30, 30)]) assert.ok(yellowNear(corner), 'the rectangle runs along its sides');
    assert.ok(!yellowNear(at(30, 20)), 'the rectangle is not filled');
  });

  it('prints a report without logo, address or key images', async () => {
    const input = await sampleReportInput({ facility: { name: 'Ambulanta Ćuprija' }, keyImages: [], referringPhysician: null });
    const file = pdfFile('plain.pdf', await renderReportPdf(input));
    const text = documentText(file);
    assert.match(text, /Ambulanta Ćuprija/);
    assert.match(text, /Referring\s+—/);
  });
});
