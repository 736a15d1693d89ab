/** A typed `fetch` for store tests: answers by "METHOD /path" and records every call. */
export interface RecordedCall {
  method: string;
  url: string;
  body: unknown;
  authorization: string | null;
}

export type Route = (call: RecordedCall) => { status: number; body?: unknown };

export function fakeFetch(routes: Record<string, Route>): { fetch: typeof fetch; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? 'GET';
    const headers = new Headers(init?.headers);
    const call: RecordedCall = {
      method,
      url,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : null,
      authorization: headers.get('Authorization'),
    };
    calls.push(call);
    const path = url.split('?')[0];
    const route = routes[`${method} ${path}`];
    const answer = route
      ? route(call)
      : { status: 404, body: { statusCode: 404, code: 'NOT_FOUND', message: `No route ${method} ${path}` } };
    if (answer.status === 204) return new Response(null, { status: 204 });
    return new Response(JSON.stringify(answer.body ?? null), {
      status: answer.status,
      headers: { 'Content-Type': 'application/json' },
    });
  };
  return { fetch: fetchFn, calls };
}
