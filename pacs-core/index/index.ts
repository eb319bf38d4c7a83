// The index's public surface: QIDO-RS routes and C-FIND (issue 3) import from here.
export { resolveAttribute, isMatchable, matchableColumn, MATCHABLE_COLUMNS } from './query-attributes';
export type { QueryAttribute, QueryLevel } from './query-attributes';
export { parseMatchValue, attributeMatch } from './query-model';
export type { MatchSpec, AttributeMatch, IndexQuery } from './query-model';
export { parseQidoQuery } from './parse-qido-query';
export { birthDateRangeForAge } from './match-sql';
export { findStudies, isStudyVisible, isSeriesVisible } from './find-studies';
export { findSeries } from './find-series';
export { findVisibleStudy } from './find-visible-study';
export type { VisibleStudy } from './find-visible-study';
export { findInstances } from './find-instances';
export { DEFAULT_MAX_RESULTS } from './search-support';
export type { FindOptions, SearchResult } from './search-support';
