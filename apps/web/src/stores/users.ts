import {
  BUILT_IN_ROLES,
  type Role,
  type UpdateUserRequest,
  type UserPage,
  type UserView,
} from '@tickets/protocol';
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { api, errorMessage } from '../api/http';

export const USERS_PAGE_SIZE = 50;

/** Roles an admin can pick: the built-in ones, and any other a listed user already has. */
export function roleChoices(rows: readonly UserView[]): Role[] {
  const roles = new Set<Role>(BUILT_IN_ROLES);
  for (const user of rows) roles.add(user.role);
  return [...roles];
}

/** The users list and role changes (admins). */
export const useUsersStore = defineStore('users', () => {
  const page = shallowRef<UserPage | null>(null);
  const offset = ref(0);
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function load(nextOffset = offset.value): Promise<void> {
    offset.value = Math.max(0, nextOffset);
    loading.value = true;
    error.value = null;
    try {
      page.value = await api<UserPage>('GET', '/users', {
        query: { offset: offset.value, limit: USERS_PAGE_SIZE },
      });
    } catch (caught) {
      error.value = errorMessage(caught);
    } finally {
      loading.value = false;
    }
  }

  async function setRole(userId: number, role: Role): Promise<UserView> {
    const body: UpdateUserRequest = { role };
    const updated = await api<UserView>('PATCH', `/users/${userId}`, { body });
    if (page.value)
      page.value = {
        ...page.value,
        rows: page.value.rows.map((user) => (user.id === userId ? updated : user)),
      };
    return updated;
  }

  return { page, offset, loading, error, load, setRole };
});
