// Every bench keeps the raw samples of a run in bench/out/<name>-<time>.json
// (not committed), so that a figure in a README can be traced to its run.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function writeSamples(name: string, data: unknown): void {
  const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out');
  mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(outFile, JSON.stringify(data, null, 2));
  console.log(`samples: ${path.relative(process.cwd(), outFile)}`);
}
