/** The additive measures kept per rollup (hourly) and per total. */
export const MEASURES = [
  'events',
  'impressions',
  'viewable',
  'timeInViewMs',
  'engagedMs',
  'clicks',
  'scroll25',
  'scroll50',
  'scroll75',
  'scroll100',
  'dwellMs',
  'dwells',
] as const;
export type Measure = (typeof MEASURES)[number];
export type Measures = Record<Measure, number>;
