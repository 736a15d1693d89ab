import { HttpStatus, RequestMethod, type INestApplication, type Type } from '@nestjs/common';
import {
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorCode, HTTP_STATUS_BY_ERROR_CODE, PROTOCOL_VERSION } from '@tickets/protocol';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { PERMISSIONS_KEY, PUBLIC_KEY } from '../auth/auth.decorators';
import { API_ERRORS_KEY } from './api-errors';
import { SUCCESS_EXAMPLES } from './success-examples';

type TransformerStorage = NonNullable<
  NonNullable<Parameters<typeof validationMetadatasToSchemas>[0]>['classTransformerMetadataStorage']
>;
// class-transformer's own store (its nested @Type()s); the package exports no typed path to it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: TransformerStorage;
};

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ParameterObject = Extract<NonNullable<OperationObject['parameters']>[number], { in: string }>;
type ResponsesObject = OperationObject['responses'];
type SchemaObject = Extract<
  NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string],
  { type?: unknown; properties?: unknown }
>;

/** Where the reference is served (see configureApp): the UI, and the document itself. */
export const API_DOCS_PATH = 'api/docs';
export const API_DOCS_JSON_PATH = 'api/docs-json';

/** One controller method, as Nest registered it. */
interface Handler {
  controller: Type;
  name: string;
  method: RequestMethod;
  /** e.g. /api/events/{eventId}: OpenAPI's form. */
  path: string;
}

const SCHEMA_PREFIX = '#/components/schemas/';

/**
 * The OpenAPI 3 document of the REST API, generated from the controllers and their DTOs: every
 * route (@nestjs/swagger's scan), each body, path and query parameter from the DTO's class-validator
 * rules (class-validator-jsonschema, so the document cannot disagree with the validation), and
 * each error code the route may answer with an example body. Success bodies are the
 * @tickets/protocol types named in each operation's description, with a typed example
 * (success-examples.ts).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Tickets API')
    .setDescription(
      `REST API of the ticket gateway (protocol ${PROTOCOL_VERSION}). Types are those of @tickets/protocol; errors are ` +
        '`{ statusCode, code, message }` with a code from its ErrorCode. The socket protocol is documented in docs/socket-protocol.md.',
    )
    .setVersion(String(PROTOCOL_VERSION))
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller}_${method}`,
  });
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix: SCHEMA_PREFIX,
    classTransformerMetadataStorage: defaultMetadataStorage,
  }) as Record<string, SchemaObject>;
  // Buffer: the raw body of the bulk route, described by RAW_BODIES instead.
  const { Buffer: _raw, ...scanned } = document.components?.schemas ?? {};
  for (const [name, example] of Object.entries(BODY_EXAMPLES))
    if (schemas[name]) schemas[name] = { ...schemas[name], example };
  document.components = {
    ...document.components,
    schemas: { ...scanned, ...schemas, ErrorBody: ERROR_BODY_SCHEMA },
  };
  for (const handler of handlers(app)) {
    const operation = operationOf(document, handler);
    if (operation) describeOperation(operation, handler, schemas);
  }
  return document;
}

function handlers(app: INestApplication): Handler[] {
  const found: Handler[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
      for (const name of new MetadataScanner().getAllMethodNames(controller.prototype as object)) {
        const target = (controller.prototype as Record<string, object>)[name];
        const path = Reflect.getMetadata(PATH_METADATA, target) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, target) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const parts = [base, path]
          .map((part) => part.replace(/^\/+|\/+$/g, ''))
          .filter((part) => part !== '');
        const joined = `/${parts.join('/')}`.replace(/:(\w+)/g, '{$1}');
        found.push({ controller, name, method, path: joined === '/metrics' ? joined : `/api${joined}` });
      }
    }
  }
  return found;
}

function operationOf(document: OpenAPIObject, handler: Handler): OperationObject | undefined {
  const item = document.paths[handler.path] as Record<string, OperationObject | undefined> | undefined;
  return item?.[RequestMethod[handler.method].toLowerCase()];
}

interface RouteArgument {
  index: number;
}

/** The DTO classes of the handler's @Body(), @Query() and @Param() arguments. */
function argumentTypes(handler: Handler): { body?: Type; query?: Type; params?: Type } {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, handler.controller, handler.name) ?? {}) as Record<
    string,
    RouteArgument
  >;
  const types = (Reflect.getMetadata(
    'design:paramtypes',
    handler.controller.prototype as object,
    handler.name,
  ) ?? []) as Type[];
  const found: { body?: Type; query?: Type; params?: Type } = {};
  for (const [key, argument] of Object.entries(args)) {
    const kind = Number(key.split(':')[0]);
    const type = types[argument.index];
    if (!type || type === Object) continue;
    if (kind === Number(RouteParamtypes.BODY)) found.body = type;
    if (kind === Number(RouteParamtypes.QUERY)) found.query = type;
    if (kind === Number(RouteParamtypes.PARAM)) found.params = type;
  }
  return found;
}

function parametersFrom(
  type: Type | undefined,
  where: 'path' | 'query',
  schemas: Record<string, SchemaObject>,
): ParameterObject[] {
  const schema = type ? schemas[type.name] : undefined;
  const required = new Set(schema?.required ?? []);
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property as SchemaObject,
  }));
}

function describeOperation(
  operation: OperationObject,
  handler: Handler,
  schemas: Record<string, SchemaObject>,
): void {
  const target = (handler.controller.prototype as Record<string, object>)[handler.name];
  const isPublic =
    Reflect.getMetadata(PUBLIC_KEY, target) === true ||
    Reflect.getMetadata(PUBLIC_KEY, handler.controller) === true;
  const permissions = (Reflect.getMetadata(PERMISSIONS_KEY, target) ??
    Reflect.getMetadata(PERMISSIONS_KEY, handler.controller) ??
    []) as string[];
  const own = (Reflect.getMetadata(API_ERRORS_KEY, target) ?? []) as ErrorCode[];
  const { body, query, params } = argumentTypes(handler);

  const pathParameters = parametersFrom(params, 'path', schemas);
  // A path parameter read without a DTO (none today) is still listed.
  for (const name of handler.path.match(/\{(\w+)\}/g)?.map((part) => part.slice(1, -1)) ?? []) {
    if (!pathParameters.some((parameter) => parameter.name === name))
      pathParameters.push({ name, in: 'path', required: true, schema: { type: 'integer', minimum: 1 } });
  }
  operation.parameters = [...pathParameters, ...parametersFrom(query, 'query', schemas)];
  const raw = RAW_BODIES[`${handler.controller.name}.${handler.name}`];
  if (raw) {
    operation.requestBody = { required: true, content: { 'application/json': { schema: raw } } };
  } else if (body) {
    operation.requestBody = {
      required: true,
      content: { 'application/json': { schema: { $ref: `${SCHEMA_PREFIX}${body.name}` } } },
    };
  } else {
    delete operation.requestBody;
  }
  operation.security = isPublic ? [] : [{ bearer: [] }];
  operation.tags = [handler.controller.name.replace(/Controller$/, '')];
  if (permissions.length > 0)
    operation.description =
      `${operation.description ?? ''}Requires the permission${permissions.length > 1 ? 's' : ''} ${permissions.join(', ')}.`.trim();

  const codes = new Set<ErrorCode>(own);
  if (body || query || params) codes.add(ErrorCode.VALIDATION_FAILED);
  if (body) {
    codes.add(ErrorCode.PAYLOAD_TOO_LARGE);
    codes.add(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
  }
  if (!isPublic) codes.add(ErrorCode.UNAUTHENTICATED);
  if (permissions.length > 0) codes.add(ErrorCode.FORBIDDEN);
  if (pathParameters.length > 0) codes.add(ErrorCode.NOT_FOUND);
  codes.add(ErrorCode.UNAVAILABLE);
  codes.add(ErrorCode.INTERNAL);
  operation.responses = { ...successResponse(handler, target), ...errorResponses([...codes]) };
}

function successResponse(handler: Handler, target: object): ResponsesObject {
  const declared = Reflect.getMetadata(HTTP_CODE_METADATA, target) as number | undefined;
  const status = declared ?? (handler.method === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK);
  if (status === HttpStatus.NO_CONTENT) return { [status]: { description: 'Done; no body.' } };
  const success = SUCCESS_EXAMPLES[`${handler.controller.name}.${handler.name}`];
  const mediaType = handler.path === '/metrics' ? 'text/plain' : 'application/json';
  return {
    [status]: {
      description: success ? `\`${success.type}\` (@tickets/protocol)` : 'See @tickets/protocol',
      content: { [mediaType]: success ? { example: success.example } : {} },
    },
  };
}

/** One response per status, listing its codes, with an example body for each. */
function errorResponses(codes: ErrorCode[]): ResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes)
    byStatus.set(HTTP_STATUS_BY_ERROR_CODE[code], [
      ...(byStatus.get(HTTP_STATUS_BY_ERROR_CODE[code]) ?? []),
      code,
    ]);
  const responses: ResponsesObject = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = {
      description: list.map((code) => `\`${code}\``).join(', '),
      content: {
        'application/json': {
          schema: { $ref: `${SCHEMA_PREFIX}ErrorBody` },
          examples: Object.fromEntries(
            list.map((code) => [
              code,
              { value: { statusCode: status, code, message: ERROR_EXAMPLES[code], ...extraFields(code) } },
            ]),
          ),
        },
      },
    };
  }
  return responses;
}

function extraFields(code: ErrorCode): Record<string, unknown> {
  if (code === ErrorCode.RATE_LIMITED) return { retryAfterSeconds: 1 };
  if (code === ErrorCode.LIMIT_REACHED) return { limit: 'holdsPerUser' };
  return {};
}

const ERROR_EXAMPLES: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'Missing access token',
  FORBIDDEN: 'Missing permission events:write',
  VALIDATION_FAILED: 'level must be an integer number',
  PAYLOAD_TOO_LARGE: 'The body is larger than this route accepts',
  UNSUPPORTED_MEDIA_TYPE: 'The body must be JSON',
  UPGRADE_REQUIRED: 'Reload: the server speaks protocol 3',
  NOT_FOUND: 'Event not found',
  LEVEL_UNAVAILABLE: 'Level 12 is no longer available',
  LIMIT_REACHED: 'You already hold as many reservations as this event allows',
  HOLD_EXPIRED: 'The hold ran out before it was confirmed',
  CONFLICT: 'Another request changed this first; retry',
  RATE_LIMITED: 'Too many requests; retry later',
  UNAVAILABLE: 'A backing service is unavailable; retry shortly',
  INTERNAL: 'Internal error',
};

const ERROR_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', enum: Object.values(ErrorCode) },
    message: { type: 'string' },
    retryAfterSeconds: {
      type: 'integer',
      description: 'RATE_LIMITED: seconds until a retry can succeed (also the Retry-After header)',
    },
    limit: {
      type: 'string',
      enum: ['holdsPerUser', 'ticketsPerUser', 'ticketsPerReservation'],
      description: 'LIMIT_REACHED: which limit',
    },
  },
};

/** An example of each request body, by DTO; the test of this document checks every body has one. */
export const BODY_EXAMPLES: Readonly<Record<string, unknown>> = {
  RegisterDto: { email: 'ada@example.com', password: 'correct horse battery', displayName: 'Ada' },
  LoginDto: { email: 'ada@example.com', password: 'correct horse battery' },
  ChangePasswordDto: { currentPassword: 'correct horse battery', newPassword: 'another long passphrase' },
  CreateEventDto: {
    name: 'Spring gala',
    holdTtlSeconds: 600,
    limits: { holdsPerUser: 1, ticketsPerUser: 10 },
  },
  UpdateEventDto: { holdTtlSeconds: 300, limits: { ticketsPerReservation: 4 } },
  CreateTicketDto: { value: 5, label: 'Row A, seat 5' },
  ReserveDto: { level: 12, requestId: '6f1c2a9e-reserve-1' },
  UpdateUserDto: { role: 'admin' },
};

/** Bodies read raw rather than through a DTO (decoded in a worker thread), by `Controller.method`. */
const RAW_BODIES: Readonly<Record<string, SchemaObject>> = {
  'TicketsController.bulkCreate': {
    description:
      'BulkCreateTicketsRequest: explicit tickets, or `count` tickets with values drawn from minValue..maxValue',
    oneOf: [
      {
        type: 'object',
        required: ['tickets'],
        properties: { tickets: { type: 'array', items: { $ref: `${SCHEMA_PREFIX}CreateTicketDto` } } },
      },
      {
        type: 'object',
        required: ['count', 'minValue', 'maxValue'],
        properties: {
          count: { type: 'integer', minimum: 1 },
          minValue: { type: 'integer', minimum: 1 },
          maxValue: { type: 'integer', minimum: 1 },
        },
      },
    ],
    example: { tickets: [{ value: 5 }, { value: 10 }] },
  },
};
