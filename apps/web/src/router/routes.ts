import type { Role } from '@tickets/protocol';
import type { RouteRecordRaw } from 'vue-router';
import AdminEventView from '../views/admin/AdminEventView.vue';
import AdminEventsView from '../views/admin/AdminEventsView.vue';
import AuditLogView from '../views/admin/AuditLogView.vue';
import UsersView from '../views/admin/UsersView.vue';
import AccountView from '../views/AccountView.vue';
import EventView from '../views/EventView.vue';
import EventsView from '../views/EventsView.vue';
import MyReservationsView from '../views/MyReservationsView.vue';
import NotFoundView from '../views/NotFoundView.vue';
import SignInView from '../views/SignInView.vue';
import SignUpView from '../views/SignUpView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** Shown in the tab title. */
    title: string;
    /** Who may open the route: anyone, only signed-out visitors, signed-in users, or one role. */
    access: 'public' | 'guest' | 'user' | Role;
  }
}

/** Every route of the app, in one table; the one guard in router/index.ts reads `meta.access`. */
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: { name: 'events' } },
  { path: '/sign-in', name: 'sign-in', component: SignInView, meta: { title: 'Sign in', access: 'guest' } },
  { path: '/sign-up', name: 'sign-up', component: SignUpView, meta: { title: 'Sign up', access: 'guest' } },
  { path: '/events', name: 'events', component: EventsView, meta: { title: 'Events', access: 'user' } },
  {
    path: '/events/:eventId(\\d+)',
    name: 'event',
    component: EventView,
    props: (route) => ({ eventId: Number(route.params.eventId) }),
    meta: { title: 'Event', access: 'user' },
  },
  {
    path: '/reservations',
    name: 'my-reservations',
    component: MyReservationsView,
    meta: { title: 'My reservations', access: 'user' },
  },
  { path: '/account', name: 'account', component: AccountView, meta: { title: 'Account', access: 'user' } },
  {
    path: '/admin',
    name: 'admin',
    component: AdminEventsView,
    meta: { title: 'Admin · Events', access: 'admin' },
  },
  {
    path: '/admin/events/:eventId(\\d+)',
    name: 'admin-event',
    component: AdminEventView,
    props: (route) => ({ eventId: Number(route.params.eventId) }),
    meta: { title: 'Admin · Event', access: 'admin' },
  },
  {
    path: '/admin/audit',
    name: 'admin-audit',
    component: AuditLogView,
    meta: { title: 'Admin · Audit log', access: 'admin' },
  },
  {
    path: '/admin/users',
    name: 'admin-users',
    component: UsersView,
    meta: { title: 'Admin · Users', access: 'admin' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: NotFoundView,
    meta: { title: 'Not found', access: 'public' },
  },
];
