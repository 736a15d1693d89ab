export {
  ClearanceIndex,
  DEFAULT_MAX_TOTAL,
  DEFAULT_ROW_IDS,
  MAX_PAGE_LIMIT,
  MAX_ROW_IDS,
  MAX_TOTAL_LIMIT,
} from './clearance-index';
export type { ClearanceOptions, LevelPage, LevelRow, PageQuery, Ticket } from './clearance-index';
export { ClearanceError } from './errors';
export type { ClearanceErrorCode } from './errors';
