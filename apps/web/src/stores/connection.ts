import { defineStore } from 'pinia';
import { ref } from 'vue';
import { closeSocket, openSocket, reconnectSocket, type SocketStatus } from '../realtime/socket';
import { useSessionStore } from './session';

/** The socket's state for the indicator and for views that must say when they may be stale. */
export const useConnectionStore = defineStore('connection', () => {
  const status = ref<SocketStatus>('offline');
  /** Times the socket (re)connected; views re-join and re-fetch when it grows. */
  const connections = ref(0);
  /** When the socket was last live (epoch ms), for "as of" notes while it is not. */
  const lastLiveAt = ref<number | null>(null);
  /** Set when the server speaks another protocol version: the page must be reloaded. */
  const upgradeMessage = ref<string | null>(null);

  function start(): void {
    const session = useSessionStore();
    openSocket(() => session.token, {
      status: (next) => {
        if (status.value === 'live' && next !== 'live') lastLiveAt.value = Date.now();
        status.value = next;
      },
      connected: () => {
        connections.value += 1;
        lastLiveAt.value = null;
      },
      unauthenticated: () => {
        stop();
        session.expire();
      },
      upgradeRequired: (message) => {
        upgradeMessage.value = message;
        stop();
      },
      // Reconnect only with a fresh token; with the ended one the session is over (never a loop).
      sessionEnded: (message, endedToken) => {
        void session.afterSessionEnded(endedToken, message).then((goesOn) => {
          if (goesOn) reconnectSocket();
          else stop();
        });
      },
    });
  }

  function stop(): void {
    closeSocket();
    status.value = 'offline';
  }

  return { status, connections, lastLiveAt, upgradeMessage, start, stop };
});
