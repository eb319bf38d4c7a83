// Runs OHIF's own SR reading code — the @cornerstonejs/adapters and dcmjs
// compiled into the OHIF dist we ship (node_modules/.telepacs/ohif) — on a
// report, in a child process (the bundle sets browser-ish globals). Used by
// test/support/ohif-sr.ts; not product code.
//
//   node ohif-sr-child.cjs <ohif dist dir> <input.json>  →  JSON on stdout
//
// input: { instance: DICOM JSON of the SR (its WADO-RS metadata),
//          images: { [sopInstanceUid]: { imagePositionPatient, imageOrientationPatient, pixelSpacing, rows, columns, frameOfReferenceUid, numberOfFrames } } }
// output: { adapters: { [trackingIdentifier]: toolType | null }, toolState: MeasurementReport.generateToolState(...) }
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const [distDir, inputFile] = process.argv.slice(2);
const input = JSON.parse(fs.readFileSync(inputFile, 'utf8'));

// What the bundle touches while its modules load (it never renders here)
globalThis.window = globalThis;
globalThis.self = globalThis;
globalThis.document = {
  currentScript: null,
  createElement: () => ({ setAttribute() {}, style: {}, getContext: () => null }),
  head: { appendChild() {} },
  querySelector: () => null,
  addEventListener() {},
};
globalThis.location = { href: 'http://localhost/ohif/', origin: 'http://localhost', protocol: 'http:' };
// The bundle's console.log of each hydrated measurement would mix with our output
console.log = () => {};

// The app bundle holds the runtime and most modules; keep its require instead of starting the app.
const appFile = fs.readdirSync(distDir).find((name) => /^app\.bundle\.[0-9a-f]+\.js$/.test(name));
let app = fs.readFileSync(path.join(distDir, appFile), 'utf8');
const startup = 'var __webpack_exports__ = __webpack_require__(45570);';
if (!app.includes(startup)) fail(`${appFile}: the startup line of OHIF 3.13.2 is not there (another OHIF build?)`);
app = app.replace(startup, 'globalThis.__ohifRequire = __webpack_require__;');
vm.runInThisContext(app, { filename: appFile });
const ohifRequire = globalThis.__ohifRequire;

// Lazy chunks register their modules; one that repeats an app module (a differently
// tree-shaken copy) must not replace it.
const jsonp = globalThis.rspackChunk.push;
globalThis.rspackChunk.push = ([ids, modules, runtime]) =>
  jsonp([ids, Object.fromEntries(Object.entries(modules).filter(([id]) => !(id in ohifRequire.m))), runtime]);
const chunks = fs.readdirSync(distDir).filter((name) => /^\d+\.bundle\.[0-9a-f]+\.js$/.test(name));
let adaptersId;
let coreId;
let dcmjsId;
for (const name of chunks) {
  const text = fs.readFileSync(path.join(distDir, name), 'utf8');
  if (!text.slice(0, 100).includes('(globalThis["rspackChunk"]')) continue; // workers carry their own runtime
  vm.runInThisContext(text, { filename: name });
  const marker = text.indexOf('CONCATENATED MODULE: ../../../node_modules/@cornerstonejs/adapters/dist/esm/index.js');
  if (marker < 0 || adaptersId) continue;
  // The module that holds the adapters' index: the last factory header before the marker
  adaptersId = [...text.slice(0, marker).matchAll(/^(\d+)\(__unused_rspack___webpack_module__, __webpack_exports__, __webpack_require__\) \{$/gm)].at(-1)?.[1];
  coreId = /EXTERNAL MODULE: \.\.\/\.\.\/\.\.\/node_modules\/@cornerstonejs\/core\/dist\/esm\/index\.js[^\n]*\nvar \w+ = __webpack_require__\((\d+)\)/.exec(text)?.[1];
  dcmjsId = /EXTERNAL MODULE: \.\.\/\.\.\/\.\.\/node_modules\/dcmjs\/build\/dcmjs\.es\.js\nvar \w+ = __webpack_require__\((\d+)\)/.exec(text)?.[1];
}
if (!adaptersId || !coreId || !dcmjsId) fail('the @cornerstonejs/adapters, core or dcmjs modules were not found in the OHIF dist');

const adapters = Object.values(ohifRequire(adaptersId)).find((value) => value && value.Cornerstone3D && value.Cornerstone3D.MeasurementReport);
const core = ohifRequire(coreId);
const dcmjs = Object.values(ohifRequire(dcmjsId)).find((value) => value && value.DicomMetaDictionary);
if (!adapters || !core.metaData || !dcmjs) fail('unexpected exports of the OHIF modules');
const { MeasurementReport } = adapters.Cornerstone3D;

// Cornerstone's metadata for the referenced images, as OHIF's provider would give it (imageId → module)
const imageIds = {};
const planes = {};
for (const [sopInstanceUid, image] of Object.entries(input.images)) {
  for (let frame = 1; frame <= (image.numberOfFrames || 1); frame++) {
    const imageId = `wadors:/dicomweb/instances/${sopInstanceUid}/frames/${frame}`;
    imageIds[`${sopInstanceUid}:${frame}`] = imageId;
    const [rowSpacing, columnSpacing] = image.pixelSpacing;
    planes[imageId] = {
      imagePlaneModule: {
        frameOfReferenceUID: image.frameOfReferenceUid,
        rows: image.rows,
        columns: image.columns,
        imageOrientationPatient: image.imageOrientationPatient,
        rowCosines: image.imageOrientationPatient.slice(0, 3),
        columnCosines: image.imageOrientationPatient.slice(3, 6),
        imagePositionPatient: image.imagePositionPatient,
        pixelSpacing: image.pixelSpacing,
        rowPixelSpacing: rowSpacing,
        columnPixelSpacing: columnSpacing,
      },
      imagePixelModule: { rows: image.rows, columns: image.columns },
    };
  }
}
core.metaData.addProvider((type, imageId) => planes[imageId]?.[type], 10000);

// As OHIF's DicomMetadataStore keeps the instance, and hydrateStructuredReport hands it to the adapters
const dataset = dcmjs.DicomMetaDictionary.naturalizeDataset(input.instance);
const groups = [].concat(dataset.ContentSequence.find((item) => item.ConceptNameCodeSequence.CodeValue === '126010').ContentSequence);
const adapterFor = {};
for (const group of groups) {
  const identifier = [].concat(group.ContentSequence).find((item) => item.ConceptNameCodeSequence.CodeValue === '112039').TextValue;
  adapterFor[identifier] = MeasurementReport.getAdapterForTrackingIdentifier(identifier)?.toolType ?? null;
}
const warnings = [];
console.warn = (...args) => warnings.push(args.map(String).join(' '));
const toolState = MeasurementReport.generateToolState(dataset, imageIds, core.metaData);
process.stdout.write(JSON.stringify({ adapters: adapterFor, toolState, warnings }));

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
