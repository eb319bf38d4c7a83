// The document inside an Encapsulated Document instance (PS3.3 C.24.2): the
// bytes of EncapsulatedDocument (0042,0011), without the padding byte an odd
// document gets (its true length is EncapsulatedDocumentLength (0042,0015)
// when present; PS3.3 C.24.2.1). The counterpart of encapsulated-pdf.ts.
import { ArchiveError } from '../../errors';
import { checkPreamble, parseDataSet } from '../parse-instance';

export function extractEncapsulatedDocument(file: Buffer): { document: Buffer; mimeType: string } {
  checkPreamble(file);
  const dataset = parseDataSet(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), {});
  const element = dataset.elements.x00420011;
  if (!element) throw new ArchiveError('NOT_FOUND', 'the instance holds no encapsulated document (0042,0011)');
  const declared = dataset.elements.x00420015 ? dataset.uint32('x00420015') : undefined;
  const length = declared !== undefined && declared <= element.length ? declared : element.length;
  return {
    document: Buffer.from(file.subarray(element.dataOffset, element.dataOffset + length)),
    mimeType: dataset.string('x00420012')?.trim() ?? '',
  };
}
