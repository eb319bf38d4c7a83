// Images arriving for an order (IHE SWF), sent by DCMTK's storescu as a
// modality sends them: the order the accession number or the Study Instance
// UID names shows "images received", its study and its image count; an
// accession number on another patient's images, a cancelled order and
// another facility's order are left alone. The order.change audit row is
// written once, however many images follow. An order that comes after its
// images is linked by linkOrderToStoredImages.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { linkOrderToStoredImages } from '../../lib/orders/link-order-to-stored-images';
import { createFacility } from '../../lib/policy/test-fixtures';
import { freePort, hasDcmtk, storescu } from '../support/dcmtk';
import { makeStudy, type StudyOptions } from '../support/fixtures';
import { createOrder, createOrderPatient } from '../support/orders';
import { startTestServer, type TestServer } from '../support/test-server';

const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';

/** Polls until `probe` returns a value (bounded; the follower batches per second). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('images arriving for an order (storescu)', { skip }, () => {
  let server: TestServer;
  let workDir: string;
  let home: string;
  const peer = () => ({ port: server.dicomPort, aet: 'TELEPACS' });

  /** Writes the series' files and sends them as the CT would, on one association. */
  async function send(files: Buffer[], name: string) {
    const paths = files.map((bytes, i) => {
      const file = path.join(workDir, `${name}-${i}.dcm`);
      writeFileSync(file, bytes);
      return file;
    });
    const result = await storescu(peer(), paths, { callingAet: 'CT1' });
    assert.equal(result.exitCode, 0, result.stderr);
  }

  const study = (options: Partial<StudyOptions> & { seed: string }) => makeStudy({ modality: 'CT', series: 2, instancesPerSeries: 3, rows: 8, columns: 8, ...options });
  const orderOf = (accessionNumber: string, facilityId = home) => server.node.db.imagingOrder.findFirst({ where: { facilityId, accessionNumber } });

  before(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'telepacs-order-images-'));
    server = await startTestServer({ env: { DICOM_PEERS: `CT1@127.0.0.1:${await freePort()}` } });
    const db = server.node.db;
    home = server.node.firstRun.facilityId;
    const maria = await createOrderPatient(db, home, { patientId: 'MRN-2001', name: 'Garcia^Maria' });
    const ana = await createOrderPatient(db, home, { patientId: 'MRN-2002', name: 'Lopez^Ana' });
    await createOrder(db, home, maria.id, { accessionNumber: 'ACC-IMG-1', stationAet: 'CT1', scheduledDate: '20261207' });
    await createOrder(db, home, maria.id, { accessionNumber: 'ACC-UID-1', studyInstanceUid: '2.25.424242', stationAet: 'CT1', scheduledDate: '20261207', status: 'IN_PROGRESS' });
    await createOrder(db, home, ana.id, { accessionNumber: 'ACC-WRONG', stationAet: 'CT1', scheduledDate: '20261207' });
    await createOrder(db, home, maria.id, { accessionNumber: 'ACC-CANCELLED', stationAet: 'CT1', scheduledDate: '20261207', status: 'CANCELLED' });
    const other = await createFacility(db, 'Other Hospital');
    const stranger = await createOrderPatient(db, other.id, { patientId: 'MRN-2001', name: 'Other^Person' });
    await createOrder(db, other.id, stranger.id, { accessionNumber: 'ACC-IMG-1', stationAet: 'CT1', scheduledDate: '20261207' });
  });

  after(async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('links the study that carries the order’s accession number and counts its images, auditing the change once', async () => {
    // First what must not link: processed in earlier batches than the images that do
    await send(study({ seed: 'wrong', patientId: 'MRN-9999', patientName: 'Typed^Wrong', accessionNumber: 'ACC-WRONG' }), 'wrong');
    await send(study({ seed: 'cancelled', patientId: 'MRN-2001', patientName: 'Garcia^Maria', accessionNumber: 'ACC-CANCELLED' }), 'cancelled');

    const images = study({ seed: 'acc', patientId: 'MRN-2001', patientName: 'GARCIA^MARIA', accessionNumber: 'ACC-IMG-1' });
    await send(images.slice(0, 3), 'acc-1');
    const linked = await eventually('the order to show its images', async () => {
      const order = await orderOf('ACC-IMG-1');
      return order?.status === 'IMAGES_RECEIVED' && order.instancesReceived === 3 && order;
    });
    const copy = await server.node.db.study.findUnique({ where: { facilityId_studyInstanceUid: { facilityId: home, studyInstanceUid: images.studyInstanceUid } } });
    assert.equal(linked.studyRef, copy?.id);
    assert.ok(linked.imagesReceivedAt);

    // The second series arrives later: the count follows, the status change is not audited again
    await send(images.slice(3), 'acc-2');
    await eventually('the count to follow', async () => (await orderOf('ACC-IMG-1'))?.instancesReceived === 6);
    const events = await server.node.db.auditEvent.findMany({ where: { action: 'order.change', resource: `order:${linked.id}` } });
    assert.equal(events.length, 1);
    const details = JSON.parse(events[0].details) as { orderStatus?: { from?: string; to?: string }; linkedBy?: string; accessionNumber?: string };
    assert.deepEqual(details.orderStatus, { from: 'SCHEDULED', to: 'IMAGES_RECEIVED' });
    assert.equal(details.linkedBy, 'accessionNumber');
    assert.equal(events[0].facilityId, home);
    assert.equal(events[0].studyUid, images.studyInstanceUid);

    // Left alone: another patient's images with an order's accession number, a cancelled order, another facility's order
    const wrong = await orderOf('ACC-WRONG');
    assert.equal(wrong?.status, 'SCHEDULED');
    assert.equal(wrong?.studyRef, null);
    const cancelled = await orderOf('ACC-CANCELLED');
    assert.equal(cancelled?.status, 'CANCELLED');
    assert.equal(cancelled?.studyRef, null);
    const otherFacility = await server.node.db.facility.findFirst({ where: { name: 'Other Hospital' } });
    const elsewhere = await orderOf('ACC-IMG-1', otherFacility?.id);
    assert.equal(elsewhere?.status, 'SCHEDULED');
    assert.equal(elsewhere?.studyRef, null);
  });

  it('links by the Study Instance UID the worklist gave, without an accession number', async () => {
    const images = study({ seed: 'uid', studyInstanceUid: '2.25.424242', patientId: 'MRN-2001', patientName: 'Garcia^Maria', accessionNumber: '' });
    await send(images, 'uid');
    const order = await eventually('the order to show its images', async () => {
      const row = await orderOf('ACC-UID-1');
      return row?.status === 'IMAGES_RECEIVED' && row.instancesReceived === 6 && row;
    });
    assert.ok(order.studyRef);
    const event = await server.node.db.auditEvent.findFirst({ where: { action: 'order.change', resource: `order:${order.id}` } });
    const details = JSON.parse(event?.details ?? '{}') as { orderStatus?: { from?: string }; linkedBy?: string };
    assert.equal(details.linkedBy, 'studyInstanceUid');
    assert.equal(details.orderStatus?.from, 'IN_PROGRESS');
  });

  it('links an order that arrives after its images', async () => {
    const db = server.node.db;
    const maria = await db.patient.findFirstOrThrow({ where: { facilityId: home, patientId: 'MRN-2001' } });
    await send(study({ seed: 'late', patientId: 'MRN-2001', patientName: 'Garcia^Maria', accessionNumber: 'ACC-LATE' }), 'late');
    // A later study that links: once it shows, the batch of the images above has been looked at (batches run in order)
    await createOrder(db, home, maria.id, { accessionNumber: 'ACC-SENTINEL', stationAet: 'CT1' });
    await send(study({ seed: 'sentinel', patientId: 'MRN-2001', patientName: 'Garcia^Maria', accessionNumber: 'ACC-SENTINEL' }), 'sentinel');
    await eventually('the sentinel order to link', async () => (await orderOf('ACC-SENTINEL'))?.status === 'IMAGES_RECEIVED');

    const late = await createOrder(db, home, maria.id, { accessionNumber: 'ACC-LATE', stationAet: 'CT1' });
    assert.equal((await orderOf('ACC-LATE'))?.status, 'SCHEDULED', 'nothing linked it yet');
    const outcome = await linkOrderToStoredImages(db, server.node.runtime.logger, late);
    assert.deepEqual(outcome.linked, [late.id]);
    const order = await orderOf('ACC-LATE');
    assert.equal(order?.status, 'IMAGES_RECEIVED');
    assert.equal(order?.instancesReceived, 6);
  });
});
