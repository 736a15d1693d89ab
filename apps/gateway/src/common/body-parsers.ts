import { ErrorCode, TICKET_LIMITS, type ErrorBody } from '@tickets/protocol';
import { json, raw, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';

/**
 * Bytes a request body may have, checked before it is parsed (against Content-Length, or while
 * reading): parsing a body holds the event loop for as long as the body is big, so nobody gets to
 * send one without a reason. Auth bodies are a few fields; the bulk ticket route carries up to
 * 100,000 tickets and is parsed in a worker thread instead (it arrives raw).
 */
export const BODY_LIMITS = {
  auth: 4 * 1024,
  default: 16 * 1024,
  bulk: TICKET_LIMITS.maxBulkBodyBytes,
} as const;

const BULK_ROUTE = /^\/api\/events\/[^/]+\/tickets\/bulk\/?$/;

/** Whether the request carries a body (a length above 0, or chunked). */
function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * One JSON body parser per kind of route, picked by path. A body that is not declared JSON gets
 * 415 UNSUPPORTED_MEDIA_TYPE (every route of ours reads JSON), instead of being left unread and
 * reported as missing fields.
 */
export function bodyParser(): RequestHandler {
  const authJson = json({ limit: BODY_LIMITS.auth });
  const defaultJson = json({ limit: BODY_LIMITS.default });
  const bulkRaw = raw({ type: 'application/json', limit: BODY_LIMITS.bulk });
  return (request, response, next) => {
    if (hasBody(request) && !request.is('application/json')) {
      const body: ErrorBody = {
        statusCode: 415,
        code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        message: 'Send the body as JSON (Content-Type: application/json)',
      };
      response.status(415).json(body);
      return;
    }
    const parser = BULK_ROUTE.test(request.path)
      ? bulkRaw
      : request.path.startsWith('/api/auth/')
        ? authJson
        : defaultJson;
    parser(request, response, next);
  };
}

/** The body parser's refusals as the protocol's error bodies: 413 PAYLOAD_TOO_LARGE or 400 VALIDATION_FAILED, never a 500. */
export const bodyParserErrors: ErrorRequestHandler = (error: unknown, request: Request, response, next) => {
  const type = (error as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') return next(error);
  const body: ErrorBody =
    type === 'entity.too.large'
      ? {
          statusCode: 413,
          code: ErrorCode.PAYLOAD_TOO_LARGE,
          message: `The body is larger than ${limitOf(request)} bytes, the most this route accepts`,
        }
      : { statusCode: 400, code: ErrorCode.VALIDATION_FAILED, message: describe(type) };
  response.status(body.statusCode).json(body);
};

function limitOf(request: Request): number {
  return BULK_ROUTE.test(request.path)
    ? BODY_LIMITS.bulk
    : request.path.startsWith('/api/auth/')
      ? BODY_LIMITS.auth
      : BODY_LIMITS.default;
}

function describe(type: string): string {
  switch (type) {
    case 'entity.parse.failed':
      return 'The body is not valid JSON';
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'Send the body as UTF-8 JSON';
    default:
      return 'The body could not be read';
  }
}
