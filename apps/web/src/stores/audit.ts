import type { AuditAction, AuditPage, AuditQuery } from '@tickets/protocol';
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { api, errorMessage } from '../api/http';

/** Entries per page of the audit log. */
export const AUDIT_PAGE_SIZE = 50;

/** Every audited action, with what the log page calls it (a new action fails to compile until named). */
export const AUDIT_ACTION_LABELS: Readonly<Record<AuditAction, string>> = {
  'event.created': 'Event created',
  'event.updated': 'Event changed',
  'event.deleted': 'Event deleted',
  'tickets.created': 'Tickets added',
  'ticket.deleted': 'Ticket deleted',
  'reservation.held': 'Hold made',
  'reservation.confirmed': 'Reservation confirmed',
  'reservation.cancelled': 'Reservation cancelled',
  'reservation.expired': 'Hold expired',
  'reservation.released': 'Reservation released',
  'user.signed-in': 'Signed in',
  'user.role-changed': 'Role changed',
};

/** The filters of the audit page; empty fields filter nothing. */
export interface AuditFilters {
  eventId: number | null;
  userId: number | null;
  action: AuditAction | null;
  /** ISO-8601 instants. */
  from: string | null;
  to: string | null;
}

export const NO_AUDIT_FILTERS: AuditFilters = {
  eventId: null,
  userId: null,
  action: null,
  from: null,
  to: null,
};

/** The query `GET /api/audit` is sent for filters and a page offset. */
export function auditQuery(filters: AuditFilters, offset: number): AuditQuery {
  return {
    eventId: filters.eventId ?? undefined,
    userId: filters.userId ?? undefined,
    action: filters.action ?? undefined,
    from: filters.from ?? undefined,
    to: filters.to ?? undefined,
    offset,
    limit: AUDIT_PAGE_SIZE,
  };
}

/** The audit log (admins): one page at a time, newest first. */
export const useAuditStore = defineStore('audit', () => {
  const page = shallowRef<AuditPage | null>(null);
  const filters = shallowRef<AuditFilters>(NO_AUDIT_FILTERS);
  const offset = ref(0);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let latest = 0;

  async function load(): Promise<void> {
    const asked = ++latest;
    loading.value = true;
    error.value = null;
    try {
      const { eventId, userId, action, from, to, limit } = auditQuery(filters.value, offset.value);
      const answer = await api<AuditPage>('GET', '/audit', {
        query: { eventId, userId, action, from, to, offset: offset.value, limit },
      });
      // A slower answer to an older filter must not replace a newer one.
      if (asked === latest) page.value = answer;
    } catch (caught) {
      if (asked === latest) error.value = errorMessage(caught);
    } finally {
      if (asked === latest) loading.value = false;
    }
  }

  function setFilters(next: AuditFilters): Promise<void> {
    filters.value = next;
    offset.value = 0;
    return load();
  }

  function goTo(nextOffset: number): Promise<void> {
    offset.value = Math.max(0, nextOffset);
    return load();
  }

  return { page, filters, offset, loading, error, load, setFilters, goTo };
});
