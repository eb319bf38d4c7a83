// The coded concepts of a TID 1500 Measurement Report (PS3.16), in the form
// the Cornerstone3D adapters (@cornerstonejs/adapters, Cornerstone3D/*) and
// dcmjs's TID 300 classes write them: OHIF 3.13 finds measurements by these
// codes and meanings (e.g. the RectangleROI adapter looks for the NUM whose
// CodeMeaning is "Area"), so they are kept exactly, meanings included.

export interface Code {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

export function code(CodeValue: string, CodingSchemeDesignator: string, CodeMeaning: string): Code {
  return { CodeValue, CodingSchemeDesignator, CodeMeaning };
}

/** Document structure: TID 1500, TID 1600 (Image Library), TID 1501 (Measurement Group). */
export const CODES = {
  imagingMeasurementReport: code('126000', 'DCM', 'Imaging Measurement Report'),
  imageLibrary: code('111028', 'DCM', 'Image Library'),
  imageLibraryGroup: code('126200', 'DCM', 'Image Library Group'),
  imagingMeasurements: code('126010', 'DCM', 'Imaging Measurements'),
  measurementGroup: code('125007', 'DCM', 'Measurement Group'),

  // TID 1204 Language of Content Item and Descendants
  languageOfContent: code('121049', 'DCM', 'Language of Content Item and Descendants'),
  english: code('en', 'RFC5646', 'English'),

  // TID 1500 row 3: Procedure reported (what the adapters write: a generic imaging procedure)
  procedureReported: code('121058', 'DCM', 'Procedure reported'),
  imagingProcedure: code('363679005', 'SCT', 'Imaging procedure'),

  // TID 1002 Observer Context, TID 1003 Person Observer Identifying Attributes
  observerType: code('121005', 'DCM', 'Observer Type'),
  person: code('121006', 'DCM', 'Person'),
  personObserverName: code('121008', 'DCM', 'Person Observer Name'),

  // TID 1501 rows 2-3 (TID 4108 Tracking Identifiers)
  trackingIdentifier: code('112039', 'DCM', 'Tracking Identifier'),
  trackingUniqueIdentifier: code('112040', 'DCM', 'Tracking Unique Identifier'),

  // TID 1410 row 3: the region a measurement group is about, when it has no NUM to hang it on
  imageRegion: code('111030', 'DCM', 'Image Region'),
  // Free text of an annotation (the adapters' LabelData: COMMENT_CODE)
  comment: code('121106', 'DCM', 'Comment'),

  // TID 300 measurements, as dcmjs's TID 300 classes (Length, CobbAngle, Polyline, Ellipse) name them
  length: code('410668003', 'SCT', 'Length'),
  // The Cornerstone3D Angle adapter writes its angle as a Cobb angle (TID 300 CobbAngle); kept so OHIF reads it the same way
  cobbAngle: code('285285000', 'SCT', 'Cobb angle'),
  area: code('42798000', 'SCT', 'Area'),
  perimeter: code('131191004', 'SCT', 'Perimeter'),
  mean: code('373098007', 'SCT', 'Mean'),
  standardDeviation: code('386136009', 'SCT', 'Standard Deviation'),
  minimum: code('255605001', 'SCT', 'Minimum'),
  maximum: code('56851009', 'SCT', 'Maximum'),
  // The ArrowAnnotate adapter (TID 300 ArrowAnnotate) hangs the arrow's polyline on a NUM (111010, DCM) of value 0;
  // its meaning in PS3.16 Annex D is "Center" (the adapter writes "label", which is not the code's meaning)
  center: code('111010', 'DCM', 'Center'),
} as const;

/** UCUM units (PS3.16 CID 7181 and friends; UCUM needs no CodingSchemeVersion, PS3.16 8.1). */
export const UNITS = {
  millimeter: code('mm', 'UCUM', 'millimeter'),
  squareMillimeter: code('mm2', 'UCUM', 'square millimeter'),
  degree: code('deg', 'UCUM', 'degree'),
  hounsfieldUnit: code("[hnsf'U]", 'UCUM', 'Hounsfield unit'),
  noUnits: code('1', 'UCUM', 'no units'),
  // An image without pixel spacing: dcmjs's unit2CodingValue writes px and px² as UCUM 1 with the meaning "px",
  // from which the Cornerstone3D adapters show "px²" again
  pixel: code('1', 'UCUM', 'px'),
  // PS3.16 CID 85 (SUV units): Cornerstone shows "SUV" for PET scaled to body-weight SUV, its default
  suvBodyWeight: code('g/ml{SUVbw}', 'UCUM', 'Standardized Uptake Value body weight'),
  arbitraryUnit: code("[arb'U]", 'UCUM', 'arbitrary unit'),
} as const;

/** The unit of an ROI's area as the viewer shows it ('mm²', or 'px²' without pixel spacing). */
export function areaUnitCode(unit: string | undefined): Code {
  switch ((unit ?? 'mm²').trim()) {
    case 'mm²':
    case 'mm2':
      return UNITS.squareMillimeter;
    case 'px²':
    case 'px2':
    case 'px':
      return UNITS.pixel;
    default:
      return arbitrary(unit ?? '');
  }
}

/** The unit of mean/SD/min/max: 'HU' for CT, 'SUV' for PET, '' for none, anything else kept in words. */
export function modalityUnitCode(unit: string | undefined): Code {
  const text = (unit ?? '').trim();
  if (text === 'HU') return UNITS.hounsfieldUnit;
  if (text === '') return UNITS.noUnits;
  if (text === 'SUV') return UNITS.suvBodyWeight;
  return arbitrary(text);
}

/** UCUM [arb'U] (arbitrary unit), its meaning naming the unit the viewer showed (LO: 64 characters). */
function arbitrary(unit: string): Code {
  return { ...UNITS.arbitraryUnit, CodeMeaning: `arbitrary unit (${unit})`.slice(0, 64) };
}
