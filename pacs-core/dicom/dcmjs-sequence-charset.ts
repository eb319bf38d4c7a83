// dcmjs (0.50) reads each sequence item from a new stream (BufferStream.more)
// that starts with its default latin1 decoder: text inside a sequence ignores
// the dataset's SpecificCharacterSet (0008,0005), while PS3.5 7.5 says items
// inherit it unless they declare their own. An SR's text lives in
// ContentSequence, so a report's UTF-8 Findings, Impression and observer
// names ("Kovač", "Иванов") reached the index — and OHIF's SR viewer — as
// mojibake. Upstream: dcmjs-org/dcmjs#503 and #508 (open).
//
// The sub-stream gets the decoder of the stream it was cut from; an item with
// its own SpecificCharacterSet still sets its own (dcmjs does that per item).
// Loaded once per process, by every module that reads with dcmjs (parse-instance.ts).
import dcmjs from 'dcmjs';

interface DecodingStream {
  decoder?: TextDecoder;
  setDecoder?(decoder: TextDecoder): void;
  more(length: number): DecodingStream;
}

const proto = (dcmjs.data as unknown as { ReadBufferStream: { prototype: DecodingStream & { __telepacsInheritsDecoder?: true } } }).ReadBufferStream.prototype;
if (!proto.__telepacsInheritsDecoder) {
  const more = proto.more;
  proto.more = function moreWithDecoder(this: DecodingStream, length: number): DecodingStream {
    const sub = more.call(this, length);
    if (this.decoder && sub.setDecoder) sub.setDecoder(this.decoder);
    return sub;
  };
  proto.__telepacsInheritsDecoder = true;
}
