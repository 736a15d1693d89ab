import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter, type Router } from 'vue-router';
import { fakeJwt } from '../test/fakeJwt';
import { useNoticesStore } from '../stores/notices';
import { useSessionStore } from '../stores/session';
import { ADMIN_ONLY_MESSAGE, guard } from './index';
import { routes } from './routes';

function signInAs(role: 'admin' | 'attendee'): void {
  const accessToken = fakeJwt({ sub: 1, exp: Math.floor(Date.now() / 1000) + 3600 });
  localStorage.setItem(
    'tickets.session',
    JSON.stringify({ accessToken, user: { id: 1, email: 'x@example.com', displayName: 'X', role } }),
  );
  useSessionStore().restore();
}

async function routerAt(path: string): Promise<Router> {
  const router = createRouter({ history: createMemoryHistory(), routes });
  router.beforeEach(guard);
  await router.push(path);
  return router;
}

describe('route guard', () => {
  beforeEach(() => {
    localStorage.clear();
    setActivePinia(createPinia());
  });

  it('sends a visitor to sign in, remembering where they were going', async () => {
    const router = await routerAt('/events/4');
    expect(router.currentRoute.value.name).toBe('sign-in');
    expect(router.currentRoute.value.query.redirect).toBe('/events/4');
  });

  it('keeps an attendee out of the admin area with a message', async () => {
    signInAs('attendee');
    const router = await routerAt('/admin/events/2');
    expect(router.currentRoute.value.name).toBe('events');
    expect(useNoticesStore().notices.map((notice) => notice.text)).toEqual([ADMIN_ONLY_MESSAGE]);
  });

  it('lets an admin in', async () => {
    signInAs('admin');
    const router = await routerAt('/admin/events/2');
    expect(router.currentRoute.value.name).toBe('admin-event');
  });

  it('sends a signed-in user away from sign-in', async () => {
    signInAs('attendee');
    const router = await routerAt('/sign-in');
    expect(router.currentRoute.value.name).toBe('events');
  });

  it('sends a user whose session expired to sign in with the message', async () => {
    signInAs('attendee');
    const session = useSessionStore();
    session.expiresAt = Date.now() - 1;
    const router = await routerAt('/reservations');
    expect(router.currentRoute.value.name).toBe('sign-in');
    expect(session.signInMessage).toMatch(/expired/);
  });
});
