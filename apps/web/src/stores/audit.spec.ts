import type { AuditPage } from '@tickets/protocol';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch } from '../test/fakeFetch';
import { AUDIT_PAGE_SIZE, NO_AUDIT_FILTERS, useAuditStore } from './audit';
import { roleChoices } from './users';

describe('audit store', () => {
  let http: ReturnType<typeof fakeFetch>;
  const page: AuditPage = { total: 120, offset: 0, rows: [] };

  beforeEach(() => {
    setActivePinia(createPinia());
    http = fakeFetch({ 'GET /api/audit': () => ({ status: 200, body: page }) });
    vi.stubGlobal('fetch', http.fetch);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sends only the filters that are set, and starts a new filter at the first page', async () => {
    const audit = useAuditStore();
    await audit.goTo(AUDIT_PAGE_SIZE);
    await audit.setFilters({
      ...NO_AUDIT_FILTERS,
      eventId: 4,
      action: 'reservation.expired',
      from: '2026-01-01T00:00:00.000Z',
    });
    const [first, second] = http.calls.map((call) => new URL(call.url, 'http://app').searchParams);
    expect(Object.fromEntries(first)).toEqual({
      offset: String(AUDIT_PAGE_SIZE),
      limit: String(AUDIT_PAGE_SIZE),
    });
    expect(Object.fromEntries(second)).toEqual({
      eventId: '4',
      action: 'reservation.expired',
      from: '2026-01-01T00:00:00.000Z',
      offset: '0',
      limit: String(AUDIT_PAGE_SIZE),
    });
    expect(audit.page?.total).toBe(120);
  });

  it('offers the built-in roles and any other a user has', () => {
    expect(roleChoices([{ id: 1, email: 'a@x', displayName: 'A', role: 'auditor' }])).toEqual([
      'attendee',
      'admin',
      'auditor',
    ]);
  });
});
