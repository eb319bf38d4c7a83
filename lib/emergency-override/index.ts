// Break-glass (issue 16): emergency access without consent, for a limited time,
// audited, reviewed. docs/drafts/emergency-override.md.
export { OVERRIDE_REASONS, OVERRIDE_REASON_CODES, DEFAULT_OVERRIDE_HOURS, MAX_OVERRIDE_HOURS, MAX_OVERRIDE_REASON_TEXT, overrideReasonWords, type OverrideReasonCode } from './override-reasons';
export { declareOverride, type DeclaredOverride } from './declare-override';
export { endOverride, expireOverride, type EndedOverride } from './end-override';
export { reviewOverride } from './review-override';
export { listOverrides, accessesUnder, type OverrideRow, type OverrideState } from './list-overrides';
export { activeOverrideMarks, overridesOfMarks, overridesOfPatient, type OverrideMark, type PatientOverride, type RunningOverrideSummary, type StudyCopyRef } from './override-marks';
export { reviewQueuePath, type OverrideActor, type OverrideContext } from './override-types';
