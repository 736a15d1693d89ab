import {
  TICKET_LIMITS,
  type BulkCreateTicketsRequest,
  type CreateTicketRequest,
  type LevelRow,
} from '@tickets/protocol';
import { formatNumber } from './format';

/** Tickets per bulk call: well under the gateway's limit per call, so large batches show progress. */
export const BULK_CHUNK = Math.min(10_000, TICKET_LIMITS.maxPerBulkCall);
export const MAX_TICKET_VALUE = TICKET_LIMITS.maxValue;
export const MAX_LABEL_LENGTH = TICKET_LIMITS.maxLabelLength;
export const MAX_TICKETS_PER_EVENT = TICKET_LIMITS.maxPerEvent;

export type ParsedTickets =
  { ok: true; tickets: CreateTicketRequest[] } | { ok: false; line: number; message: string };

/**
 * Reads a pasted list, one ticket a line: `value` or `label, value` (tab or comma). Blank lines are
 * skipped; the first bad line is reported by number.
 */
export function parseTicketList(text: string): ParsedTickets {
  const tickets: CreateTicketRequest[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index].trim();
    if (line === '') continue;
    const separator = Math.max(line.lastIndexOf(','), line.lastIndexOf('\t'));
    const label = separator >= 0 ? line.slice(0, separator).trim() : undefined;
    const value = Number(separator >= 0 ? line.slice(separator + 1).trim() : line);
    if (!Number.isInteger(value) || value < 1 || value > MAX_TICKET_VALUE) {
      return {
        ok: false,
        line: index + 1,
        message: `Line ${index + 1}: the value must be a whole number from 1 to ${formatNumber(MAX_TICKET_VALUE)}.`,
      };
    }
    if (label !== undefined && label.length > MAX_LABEL_LENGTH) {
      return {
        ok: false,
        line: index + 1,
        message: `Line ${index + 1}: the label is longer than ${MAX_LABEL_LENGTH} characters.`,
      };
    }
    tickets.push(label ? { label, value } : { value });
  }
  return { ok: true, tickets };
}

/** The bulk calls that create `count` random tickets (or the listed ones), each at most `chunk`. */
export function bulkRequests(
  source: { tickets: CreateTicketRequest[] } | { count: number; minValue: number; maxValue: number },
  chunk = BULK_CHUNK,
): BulkCreateTicketsRequest[] {
  const requests: BulkCreateTicketsRequest[] = [];
  if ('tickets' in source) {
    for (let start = 0; start < source.tickets.length; start += chunk)
      requests.push({ tickets: source.tickets.slice(start, start + chunk) });
    return requests;
  }
  for (let left = source.count; left > 0; left -= chunk) {
    requests.push({ count: Math.min(chunk, left), minValue: source.minValue, maxValue: source.maxValue });
  }
  return requests;
}

/** How many tickets one bulk request creates. */
export function bulkSize(request: BulkCreateTicketsRequest): number {
  return 'tickets' in request ? request.tickets.length : request.count;
}

/** How a ticket is named on screen: its label, or its id when it has none. */
export function ticketName(id: number, label: string | undefined): string {
  return label ? label : `#${id}`;
}

/** A level row's tickets as the table shows them: the labels it carries, then "+N" for the rest. */
export function rowTicketsText(row: LevelRow): string {
  const shown = row.ticketIds.map((id, index) => ticketName(id, row.ticketLabels[index])).join(', ');
  const more = row.ticketCount - row.ticketIds.length;
  return more > 0 ? `${shown} +${formatNumber(more)}` : shown;
}
