import { ErrorCode, HTTP_STATUS_BY_ERROR_CODE } from '@tickets/protocol';
import { entryPoints } from './support/entry-points';
import { startTestApp, type TestApp } from './support/test-app';

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string; example?: unknown } }> };
  responses: Record<
    string,
    {
      description: string;
      content?: Record<
        string,
        { example?: unknown; examples?: Record<string, { value: { code: string; statusCode: number } }> }
      >;
    }
  >;
}

interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { example?: unknown; properties?: Record<string, { enum?: string[] }> }>;
  };
}

/** The OpenAPI document and the Swagger UI the gateway serves, against the routes Nest registered. */
describe('API reference (/api/docs)', () => {
  let t: TestApp;
  let document: Document;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    document = (await t.http().get('/api/docs-json').expect(200)).body as Document;
  });
  afterAll(async () => {
    await t?.close();
  });

  const operations = (): [string, Operation][] =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]): [string, Operation] => [
        `${method.toUpperCase()} ${path}`,
        operation,
      ]),
    );

  it('documents every route Nest registered, and no other', () => {
    const routes = entryPoints(t.app).routes.map(
      (route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`,
    );
    expect(routes.length).toBeGreaterThan(20);
    expect(
      operations()
        .map(([key]) => key)
        .sort(),
    ).toEqual([...routes].sort());
  });

  it('gives every route its parameters, body with an example, success type and error codes with examples', () => {
    for (const [key, operation] of operations()) {
      for (const name of key.match(/\{(\w+)\}/g) ?? []) {
        expect({
          key,
          path: operation.parameters?.some(
            (parameter) => parameter.in === 'path' && `{${parameter.name}}` === name,
          ),
        }).toEqual({ key, path: true });
      }
      const body = operation.requestBody?.content['application/json']?.schema;
      if (body) {
        const example = body.$ref
          ? document.components.schemas[body.$ref.split('/').pop()!]?.example
          : body.example;
        expect({ key, example: example !== undefined }).toEqual({ key, example: true });
      }
      const statuses = Object.keys(operation.responses).map(Number);
      const success = statuses.filter((status) => status < 300);
      expect({ key, success: success.length }).toEqual({ key, success: 1 });
      if (success[0] !== 204) {
        const response = operation.responses[success[0]];
        expect({ key, described: !response.description.includes('See @tickets/protocol') }).toEqual({
          key,
          described: true,
        });
        expect({
          key,
          example: Object.values(response.content ?? {}).some((media) => media.example !== undefined),
        }).toEqual({ key, example: true });
      }
      for (const status of statuses.filter((code) => code >= 400)) {
        const examples = Object.values(
          operation.responses[status].content?.['application/json']?.examples ?? {},
        );
        expect(examples.length).toBeGreaterThan(0);
        for (const { value } of examples)
          expect(HTTP_STATUS_BY_ERROR_CODE[value.code as ErrorCode]).toBe(status);
      }
    }
  });

  it('names the error codes each kind of route answers with', () => {
    const reserve = document.paths['/api/events/{eventId}/reservations'].post;
    const codes = Object.values(reserve.responses).flatMap((response) =>
      Object.keys(response.content?.['application/json']?.examples ?? {}),
    );
    expect(codes).toEqual(
      expect.arrayContaining([
        ErrorCode.VALIDATION_FAILED,
        ErrorCode.UNAUTHENTICATED,
        ErrorCode.FORBIDDEN,
        ErrorCode.NOT_FOUND,
        ErrorCode.LEVEL_UNAVAILABLE,
        ErrorCode.LIMIT_REACHED,
        ErrorCode.RATE_LIMITED,
        ErrorCode.UNAVAILABLE,
      ]),
    );
    // A public route asks for no token.
    expect(Object.keys(document.paths['/api/auth/register'].post.responses)).not.toContain('401');
    expect(document.components.schemas.ErrorBody.properties?.code.enum?.sort()).toEqual(
      Object.values(ErrorCode).sort(),
    );
  });

  it('serves the Swagger UI under a policy that lets it run, with its own files only', async () => {
    const page = await t.http().get('/api/docs').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
    // Every script the page loads is a file of ours (no inline script: the policy would block it).
    expect(page.text).not.toMatch(/<script>(?!\s*<\/script>)/);
    const scripts = [...page.text.matchAll(/<script src="\.\/([^"]+)"/g)].map((match) => match[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) await t.http().get(`/api/${script}`).expect(200);
    // The rest of the API keeps the strict policy.
    const api = await t.http().get('/api/healthz').expect(200);
    expect(String(api.headers['content-security-policy'])).not.toContain('unsafe-inline');
  });
});
