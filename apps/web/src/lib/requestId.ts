/**
 * A fresh idempotency key for one reservation attempt (the gateway accepts `[\w.:-]{1,64}`).
 * `crypto.randomUUID` exists only in secure contexts, so plain http on a LAN address uses random bytes.
 */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext !== false)
    return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
