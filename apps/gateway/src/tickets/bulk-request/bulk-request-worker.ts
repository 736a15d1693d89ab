/** Entry point of the worker thread that decodes bulk ticket bodies (see BulkRequestReader). */
import { serveRequests } from '../../common/worker-thread';
import { readBulkRequest, type BulkRequestReading } from './bulk-request';

const decoder = new TextDecoder('utf-8', { fatal: true });

serveRequests<Uint8Array, BulkRequestReading>(
  (bytes) => {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return { reply: { ok: false, message: 'The body is not valid UTF-8' } };
    }
    const reply = readBulkRequest(text);
    if (!reply.ok || reply.request.kind !== 'list') return { reply };
    const { values, labels } = reply.request;
    return {
      reply,
      transfer: [values.buffer as ArrayBuffer, ...(labels ? [labels.ends.buffer as ArrayBuffer] : [])],
    };
    // Nobody waits on a bulk body closely: the event loop, and the index workers reservations wait on, come first.
  },
  { nice: 10 },
);
