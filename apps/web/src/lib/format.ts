/** One formatter for every number shown (`toLocaleString` builds a new one per call, measurably slow in the grid). */
const numberFormat = new Intl.NumberFormat('en-US');

export function formatNumber(value: number): string {
  return numberFormat.format(value);
}
