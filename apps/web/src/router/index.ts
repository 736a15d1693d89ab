import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type RouteLocationRaw,
  type Router,
} from 'vue-router';
import { useNoticesStore } from '../stores/notices';
import { useSessionStore } from '../stores/session';
import { routes } from './routes';

export const ADMIN_ONLY_MESSAGE = 'That page is for admins only.';

/** The one guard: sign-in for users, roles for admin pages, signed-in users kept off sign-in/up. */
export function guard(to: RouteLocationNormalized): true | RouteLocationRaw {
  const session = useSessionStore();
  if (session.isSignedIn && session.isExpired()) session.expire();
  const access = to.meta.access;
  if (access === 'public') return true;
  if (access === 'guest') return session.isSignedIn ? { name: 'events' } : true;
  if (!session.isSignedIn)
    return { name: 'sign-in', query: to.fullPath === '/events' ? {} : { redirect: to.fullPath } };
  if (access !== 'user' && session.user?.role !== access) {
    useNoticesStore().show(ADMIN_ONLY_MESSAGE, 'warning');
    return { name: 'events' };
  }
  return true;
}

export function createAppRouter(): Router {
  const router = createRouter({ history: createWebHistory(), routes });
  router.beforeEach(guard);
  router.afterEach((to) => {
    document.title = `${to.meta.title} · Tickets`;
  });
  return router;
}
