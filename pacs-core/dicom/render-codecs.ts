// Lazy loading of the WASM codecs used for rendering and transcoding.
//
// dcmjs-codecs and dcmjs-imaging ship UMD bundles: Node's ESM loader cannot see
// their named exports, so they are loaded with require() and typed from their
// own declaration files. Each bundles its own copy of the native codecs
// (build/dcmjs-native-codecs.wasm, found next to the bundle); initialisation
// takes ~50 ms, so it happens once, on first use, not at server start.
import { createRequire } from 'node:module';

type CodecsModule = typeof import('dcmjs-codecs');
type ImagingModule = typeof import('dcmjs-imaging');

const require = createRequire(import.meta.url);

let codecs: Promise<CodecsModule> | undefined;
let imaging: Promise<ImagingModule> | undefined;

/** dcmjs-codecs with its native codecs initialised (decode/encode frames, transcode files). */
export function loadCodecs(): Promise<CodecsModule> {
  codecs ??= (async () => {
    const module = require('dcmjs-codecs') as CodecsModule;
    if (!module.NativeCodecs.isInitialized()) await module.NativeCodecs.initializeAsync();
    return module;
  })().catch((error: unknown) => {
    codecs = undefined; // allow a retry rather than caching the failure forever
    throw error;
  });
  return codecs;
}

/** dcmjs-imaging with its native pixel decoders initialised (renders compressed frames too). */
export function loadImaging(): Promise<ImagingModule> {
  imaging ??= (async () => {
    const module = require('dcmjs-imaging') as ImagingModule;
    if (!module.NativePixelDecoder.isInitialized()) await module.NativePixelDecoder.initializeAsync();
    return module;
  })().catch((error: unknown) => {
    imaging = undefined;
    throw error;
  });
  return imaging;
}

/** Copies a Buffer into its own ArrayBuffer (the codecs take whole ArrayBuffers, not views). */
export function toArrayBuffer(bytes: Buffer | Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
