// Where the CPU time of a `node --cpu-prof` profile went, as text:
// self time grouped by package / project folder, and the top functions.
//
//   npx tsx bench/summarize-cpu-profile.ts <file.cpuprofile> [--top 25] [--window dcmjs-dimse] [--per N]
//
// --window GROUP keeps only the samples between the first and the last one
// with a frame of GROUP on the stack (e.g. the DIMSE receive window, without
// start-up and shutdown). --per N also prints the phases per item (e.g. per
// image stored). Phases: each sample goes to the innermost frame on its
// stack that belongs to a known part of the ingest path (see PHASES).
//
// Self time (the samples whose innermost frame is that function) is used
// rather than inclusive time: await continuations start new stacks, so
// inclusive time of an async function is not reliable in a V8 profile.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, window: { type: 'string' }, per: { type: 'string' } },
});
if (positionals.length !== 1) throw new Error('usage: npx tsx bench/summarize-cpu-profile.ts <file.cpuprofile> [--top 25]');
const TOP = Number(args.top);
const PER = args.per === undefined ? undefined : Number(args.per);
const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));

/** Which part of the program a frame belongs to: an npm package, a project folder, Node itself, or V8's pseudo-frames. */
function groupOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/').slice(0, 2).join('/');
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1];
  const file = url.replace(/^file:\/\//, '');
  if (file.startsWith(projectRoot)) {
    const relative = path.relative(projectRoot, file).split(path.sep);
    return relative.length > 2 ? relative.slice(0, 2).join('/') : relative.join('/');
  }
  return file;
}

const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

/** The groups of every frame on a sample's stack, innermost first (bounded by the tree depth). */
function stackGroups(id: number): string[] {
  const groups: string[] = [];
  for (let current: number | undefined = id, depth = 0; current !== undefined && depth < 10_000; current = parentOf.get(current), depth++) {
    const node = nodes.get(current);
    if (node) groups.push(groupOf(node.callFrame));
  }
  return groups;
}

// The ingest path's parts, by the groups of the frames on a sample's stack,
// in priority order: the DIMSE receive code is at the root of every C-STORE
// stack (it calls the handler synchronously), so it only gets the samples no
// more specific part claims; dcmjs under dcmjs-dimse (command sets) is DIMSE,
// under pacs-core/dicom it is the header parse.
const PHASES: { phase: string; groups: RegExp }[] = [
  { phase: 'header parse (pacs-core/dicom: dicom-parser, dcmjs, DICOM JSON)', groups: /^(dicom-parser|pacs-core\/dicom)$/ },
  { phase: 'index commit (Prisma client + query compiler, adapter, SQLite)', groups: /^(@prisma\/|better-sqlite3$|pg$|prisma\/)/ },
  { phase: 'sha256', groups: /^node:crypto\/hash$/ },
  { phase: 'file write + fsync (main-thread part)', groups: /^(pacs-core\/store|node:fs)/ },
  { phase: 'DIMSE/PDU receive (dcmjs-dimse and the dcmjs it calls, sockets, streams)', groups: /^(dcmjs-dimse|smart-buffer|async-event-emitter2|node:net|node:stream|node:streams)/ },
  { phase: 'dcmjs elsewhere', groups: /^dcmjs$/ },
  { phase: 'Telepacs DIMSE + ingest code', groups: /^pacs-core\/(dimse|ingest\.ts|archive\.ts)/ },
];
const PSEUDO_FRAMES = new Set(['(idle)', '(garbage collector)', '(program)']);

function phaseOf(id: number): string {
  const groups = stackGroups(id);
  if (PSEUDO_FRAMES.has(groups[0] ?? '')) return groups[0];
  for (const { phase, groups: pattern } of PHASES) if (groups.some((group) => pattern.test(group))) return phase;
  return 'other';
}

// The window: from the first to the last sample with a frame of args.window on its stack.
let first = 0;
let last = profile.samples.length - 1;
if (args.window) {
  const inWindow = profile.samples.map((id) => stackGroups(id).includes(args.window ?? ''));
  first = inWindow.indexOf(true);
  last = inWindow.lastIndexOf(true);
  if (first < 0) throw new Error(`no sample has a frame of ${args.window}`);
}

const selfByNode = new Map<number, number>();
const byPhase = new Map<string, number>();
let total = 0;
// Bounded by the number of samples in the file.
for (let index = first; index <= last; index++) {
  const delta = profile.timeDeltas[index] ?? 0;
  const id = profile.samples[index];
  selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta);
  byPhase.set(phaseOf(id), (byPhase.get(phaseOf(id)) ?? 0) + delta);
  total += delta;
}

const byGroup = new Map<string, number>();
const byFunction = new Map<string, { self: number; group: string }>();
for (const [id, self] of selfByNode) {
  const node = nodes.get(id);
  if (!node) continue;
  const group = groupOf(node.callFrame);
  byGroup.set(group, (byGroup.get(group) ?? 0) + self);
  const where = node.callFrame.url ? `${path.basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}` : '';
  const key = `${node.callFrame.functionName || '(anonymous)'} ${where}`.trim();
  const entry = byFunction.get(key) ?? { self: 0, group };
  entry.self += self;
  byFunction.set(key, entry);
}

const ms = (microseconds: number) => `${(microseconds / 1000).toFixed(0).padStart(7)} ms`;
const percent = (microseconds: number) => `${((microseconds / total) * 100).toFixed(1).padStart(5)}%`;
const idle = byGroup.get('(idle)') ?? 0;
console.log(`${args.window ? `window of ${args.window}` : 'profile'}: ${ms(total)} wall, ${ms(total - idle)} on CPU, ${ms(idle)} idle`);
console.log('\nby phase of the ingest path:');
for (const [phase, time] of [...byPhase].sort((a, b) => b[1] - a[1])) {
  const each = PER ? `  ${(time / 1000 / PER).toFixed(2).padStart(6)} ms per item` : '';
  console.log(`  ${ms(time)} ${percent(time)}${each}  ${phase}`);
}
console.log('\nself time by group:');
for (const [group, self] of [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${ms(self)} ${percent(self)}  ${group}`);
console.log(`\ntop ${TOP} functions by self time:`);
for (const [name, { self, group }] of [...byFunction].sort((a, b) => b[1].self - a[1].self).slice(0, TOP)) {
  console.log(`  ${ms(self)} ${percent(self)}  ${name}  [${group}]`);
}
