// Window width/centre (what a radiologist reads and types: "W 400 L 40") and
// Cornerstone's VOI range {lower, upper} are two spellings of one mapping.
// PS3.3 C.11.2.1.2.1 (LINEAR, the default VOI LUT function): values at or
// below c - 0.5 - (w-1)/2 are black, above c - 0.5 + (w-1)/2 white. So
// upper - lower is w - 1, not w: reading the width as upper - lower showed
// the image's 400/40 as 399/40. Cornerstone's own toLowHighRange/toWindowLevel
// use these formulas; LINEAR_EXACT (C.11.2.1.3.2) has no ±½ and no -1.

export interface WindowLevel {
  windowWidth: number;
  windowCenter: number;
}

export interface VoiRange {
  lower: number;
  upper: number;
}

/** lutFunction: Cornerstone's VOILUTFunctionType value of the viewport (LINEAR when unset) */
export function voiRangeFromWindow({ windowWidth, windowCenter }: WindowLevel, lutFunction: string = 'LINEAR'): VoiRange {
  if (lutFunction === 'LINEAR_EXACT') return { lower: windowCenter - windowWidth / 2, upper: windowCenter + windowWidth / 2 };
  return { lower: windowCenter - 0.5 - (windowWidth - 1) / 2, upper: windowCenter - 0.5 + (windowWidth - 1) / 2 };
}

export function windowFromVoiRange({ lower, upper }: VoiRange, lutFunction: string = 'LINEAR'): WindowLevel {
  if (lutFunction === 'LINEAR_EXACT') return { windowWidth: upper - lower, windowCenter: (upper + lower) / 2 };
  return { windowWidth: upper - lower + 1, windowCenter: (upper + lower + 1) / 2 };
}
