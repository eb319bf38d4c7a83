// What STOW-RS tests share: a request body as a client sends it, and a look at
// what the archive left in its store.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** A multipart/related body of application/dicom parts (PS3.18 8.6.1.2), and its Content-Type. */
export function stowBody(parts: Buffer[], boundary = 'telepacs-test-boundary'): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), part, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

/** Every file under dir (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir).flatMap((entry) => {
      const full = path.join(dir, entry);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
  } catch {
    return [];
  }
}
