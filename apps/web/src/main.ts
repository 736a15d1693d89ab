import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppRouter } from './router';
import { useSessionStore } from './stores/session';
import './styles.css';

const app = createApp(App);
app.use(createPinia());
const session = useSessionStore();
session.restore();
// The stored user may be stale (a role changed); a refused token ends the session on its own.
void session.refreshUser().catch(() => undefined);
app.use(createAppRouter());
app.mount('#app');
