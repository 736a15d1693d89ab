import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { API_DOCS_JSON_PATH, API_DOCS_PATH, buildOpenApiDocument } from './openapi';

/**
 * The Swagger UI's page only: its scripts and styles are the gateway's own files, but it sets
 * inline styles on elements as it renders, which the app-wide policy (configureApp) forbids.
 * Nothing else is relaxed, and the page has no user content.
 */
const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

/**
 * The API reference: the OpenAPI document at `/api/docs-json` and the Swagger UI at `/api/docs`,
 * built on the first request (every route is registered by then).
 */
export function setupApiDocs(app: NestExpressApplication): void {
  app.use(`/${API_DOCS_PATH}`, (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Content-Security-Policy', DOCS_CSP);
    next();
  });
  SwaggerModule.setup(API_DOCS_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: API_DOCS_JSON_PATH,
    yamlDocumentUrl: `${API_DOCS_PATH}-yaml`,
    customSiteTitle: 'Tickets API',
    useGlobalPrefix: false,
  });
}
