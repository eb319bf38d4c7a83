// The report PDF as a reader and poppler see it: pdftotext extracts the words
// (Cyrillic too), pdfinfo counts the pages, PRELIMINARY is on every page.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

  it('prints a report without logo, address or key images', async () => {
    const input = await sampleReportInput({ facility: { name: 'Ambulanta Ćuprija' }, keyImages: [], referringPhysician: null });
    const file = pdfFile('plain.pdf', await renderReportPdf(input));
    const text = documentText(file);
    assert.match(text, /Ambulanta Ćuprija/);
    assert.match(text, /Referring\s+—/);
  });
});
