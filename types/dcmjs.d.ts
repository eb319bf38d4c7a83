// Minimal types for the parts of dcmjs (0.50) Telepacs uses; dcmjs ships none.
// Extend here when using more of it, rather than casting to any at call sites.
declare module 'dcmjs' {
  /** dcmjs "denaturalized" element: tag-keyed, close to DICOM JSON. */
  export interface DcmjsElement {
    vr?: string;
    Value?: unknown;
    _rawValue?: unknown;
  }
  export type DcmjsDict = Record<string, DcmjsElement>;
  /** Naturalized dataset: keyword-keyed values (PatientName, Rows, ...). */
  export type NaturalizedDataset = Record<string, unknown>;

  export interface ReadFileOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
    forceStoreRaw?: boolean;
  }

  export interface WriteOptions {
    allowInvalidVRLength?: boolean;
    fragmentMultiframe?: boolean;
  }

  class DicomDict {
    constructor(meta: DcmjsDict);
    meta: DcmjsDict;
    dict: DcmjsDict;
    upsertTag(tag: string, vr: string, values: unknown): void;
    write(options?: WriteOptions): ArrayBuffer;
  }

  class DicomMessage {
    static readFile(buffer: ArrayBuffer, options?: ReadFileOptions): DicomDict;
  }

  class DicomMetaDictionary {
    static naturalizeDataset(dict: DcmjsDict): NaturalizedDataset;
    static denaturalizeDataset(dataset: NaturalizedDataset): DcmjsDict;
    static uid(): string;
    static date(): string;
    static time(): string;
    static punctuateTag(rawTag: string): string;
    static unpunctuateTag(tag: string): string;
    static dictionary: Record<string, { tag: string; vr: string; name: string; vm: string; version: string }>;
    static nameMap: Record<string, { tag: string; vr: string; name: string; vm: string; version: string }>;
  }

  function datasetToDict(dataset: NaturalizedDataset): DicomDict;
  function datasetToBuffer(dataset: NaturalizedDataset): Buffer;
  function datasetToBlob(dataset: NaturalizedDataset): Blob;

  const data: {
    DicomDict: typeof DicomDict;
    DicomMessage: typeof DicomMessage;
    DicomMetaDictionary: typeof DicomMetaDictionary;
    datasetToDict: typeof datasetToDict;
    datasetToBuffer: typeof datasetToBuffer;
    datasetToBlob: typeof datasetToBlob;
  };

  const dcmjs: { data: typeof data };
  export default dcmjs;
  export { data };
}
