/** One formatter for every number shown (`toLocaleString` builds a new one per call, measurably slow in the grid). */
const numberFormat = new Intl.NumberFormat('en-US');

export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

/** A count the server may not know yet (an event's levels before its index is first built). */
export function formatCount(value: number | null): string {
  return value === null ? '…' : numberFormat.format(value);
}
