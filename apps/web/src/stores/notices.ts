import { defineStore } from 'pinia';
import { ref } from 'vue';

export type NoticeKind = 'info' | 'success' | 'warning' | 'error';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

/** Messages shown once at the top of the page (redirects, live notices), dismissed by the user. */
export const useNoticesStore = defineStore('notices', () => {
  const notices = ref<Notice[]>([]);
  let nextId = 1;

  function show(text: string, kind: NoticeKind = 'info'): void {
    if (notices.value.some((notice) => notice.text === text)) return;
    notices.value = [...notices.value, { id: nextId++, kind, text }];
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((notice) => notice.id !== id);
  }

  function clear(): void {
    notices.value = [];
  }

  return { notices, show, dismiss, clear };
});
