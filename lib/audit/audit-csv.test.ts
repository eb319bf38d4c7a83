import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditCsvLine, csvCell, csvLine } from './audit-csv';
import { auditEventView, readableSourceAddress } from './audit-view';

describe('audit CSV', () => {
  it('quotes per RFC 4180: commas, quotes and line breaks', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell(null), '');
    assert.equal(csvLine(['a', 'b,c']), 'a,"b,c"\r\n');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    for (const hostile of ['=HYPERLINK("http://evil")', '+1', '-1+2', '@SUM(A1)', '\t=1', '\r=1']) {
      const cell = csvCell(hostile);
      assert.ok(cell.startsWith("'") || cell.startsWith(`"'`), `${JSON.stringify(hostile)} -> ${cell}`);
    }
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell('=A1,B1'), `"'=A1,B1"`);
    assert.equal(csvCell('doctor@hospital.example'), 'doctor@hospital.example', 'an @ inside is harmless');
  });

  it('writes one event per line under the header, with the AE title of a DIMSE peer', () => {
    const line = auditCsvLine(
      auditEventView({
        id: 'e1',
        at: new Date('2026-11-01T10:00:00Z'),
        actor: 'AE:CT1',
        actorUserId: null,
        action: 'dimse.c-store',
        outcome: 'SUCCESS',
        facilityId: 'f1',
        patientId: 'P1',
        studyUid: '1.2.3',
        resource: '',
        sourceIp: '10.0.0.5',
        details: '{"stored":2}',
      }, new Map()),
      new Map([['f1', 'NORTH']]),
    );
    assert.equal(line, '2026-11-01T10:00:00.000Z,AE:CT1,,dimse.c-store,SUCCESS,NORTH,P1,1.2.3,10.0.0.5,CT1,,"{""stored"":2}",110104,A DICOM device stored images,,10.0.0.5\r\n');
  });

  it("names the person and the action in words, and shows this server's own address as local", () => {
    const line = auditCsvLine(
      auditEventView(
        { id: 'e2', at: new Date('2026-11-01T10:00:00Z'), actor: 'ana@north.example', actorUserId: 'u1', action: 'portal.worklist', outcome: 'SUCCESS', facilityId: null, patientId: null, studyUid: null, resource: '/', sourceIp: '::ffff:127.0.0.1', details: '{}' },
        new Map([['u1', 'Ana Ruiz']]),
      ),
      new Map(),
    );
    assert.match(line, /,portal\.worklist,.*,Searched the worklist,Ana Ruiz,this server \(local\)\r\n$/);
  });

  it('reads source addresses as a person would', () => {
    assert.equal(readableSourceAddress('::1'), 'this server (local)');
    assert.equal(readableSourceAddress('::ffff:127.0.0.1'), 'this server (local)');
    assert.equal(readableSourceAddress('127.0.0.1'), 'this server (local)');
    assert.equal(readableSourceAddress('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(readableSourceAddress('2001:db8::7'), '2001:db8::7');
    assert.equal(readableSourceAddress('10.1.2.3'), '10.1.2.3');
  });
});
