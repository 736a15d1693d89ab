/**
 * Retries an assertion until it passes or the timeout elapses, then rethrows its last failure.
 * For asynchronous effects (feed delivery, socket messages); always await it.
 */
export async function expectEventually(
  assertion: () => void | Promise<void>,
  timeoutMs = 5000,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
