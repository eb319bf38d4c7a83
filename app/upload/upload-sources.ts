// Turns what the user dropped or picked (files, folders, zip files) into a
// flat list of files to send, with their path for the result table.
import { unzip, type Unzipped } from 'fflate';
import { isZipName, skipReason } from './stow-client';

export interface UploadSource {
  path: string;
  size: number;
  skipped?: string;
  read(): Promise<Uint8Array<ArrayBuffer>>;
}

interface PickedFile {
  file: File;
  path: string;
}

/**
 * Must run synchronously inside the drop handler: the browser empties the
 * DataTransfer as soon as the event handler returns.
 */
export function entriesOfDrop(dataTransfer: DataTransfer): FileSystemEntry[] | File[] {
  const entries = Array.from(dataTransfer.items, (item) => item.webkitGetAsEntry?.() ?? null).filter(
    (entry): entry is FileSystemEntry => entry !== null,
  );
  return entries.length > 0 ? entries : Array.from(dataTransfer.files);
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, into: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    into.push({ file: await fileOf(entry as FileSystemFileEntry), path: entry.fullPath.replace(/^\//, '') });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most ~100 entries per call: read until it is empty.
  for (let batch = await readBatch(reader); batch.length > 0; batch = await readBatch(reader)) {
    for (const child of batch) await walk(child, into);
  }
}

export async function pickedFromDrop(dropped: FileSystemEntry[] | File[]): Promise<PickedFile[]> {
  const picked: PickedFile[] = [];
  for (const item of dropped) {
    if (item instanceof File) picked.push({ file: item, path: item.name });
    else await walk(item, picked);
  }
  return picked;
}

export function pickedFromInput(files: FileList | null): PickedFile[] {
  // webkitRelativePath is set when a folder was chosen ("CD/DICOM/IM1").
  return Array.from(files ?? [], (file) => ({ file, path: file.webkitRelativePath || file.name }));
}

function unzipInBrowser(data: Uint8Array): Promise<Unzipped> {
  return new Promise((resolve, reject) => {
    unzip(data, { filter: (entry) => !entry.name.endsWith('/') }, (error, entries) => (error ? reject(error) : resolve(entries)));
  });
}

/** Expands zip files (in the browser: the server only ever receives DICOM parts). */
export async function toUploadSources(picked: PickedFile[]): Promise<UploadSource[]> {
  const sources: UploadSource[] = [];
  for (const { file, path } of picked) {
    if (!isZipName(path)) {
      sources.push({ path, size: file.size, skipped: skipReason(path), read: async () => new Uint8Array(await file.arrayBuffer()) });
      continue;
    }
    try {
      const entries = await unzipInBrowser(new Uint8Array(await file.arrayBuffer()));
      for (const [name, bytes] of Object.entries(entries)) {
        const entryPath = `${path}/${name}`;
        sources.push({ path: entryPath, size: bytes.byteLength, skipped: skipReason(entryPath), read: async () => bytes as Uint8Array<ArrayBuffer> });
      }
    } catch (error) {
      sources.push({ path, size: file.size, skipped: `Could not open the zip file (${String(error)})`, read: async () => new Uint8Array(0) });
    }
  }
  return sources;
}
