import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppRouter } from './router';
import { useSessionStore } from './stores/session';
import './styles.css';

const app = createApp(App);
app.use(createPinia());
useSessionStore().restore();
app.use(createAppRouter());
app.mount('#app');
