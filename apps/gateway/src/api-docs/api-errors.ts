import { SetMetadata } from '@nestjs/common';
import type { ErrorCode } from '@tickets/protocol';

export const API_ERRORS_KEY = 'tickets:api-errors';

/**
 * The error codes a route answers besides those every route of its kind may (see openapi.ts:
 * VALIDATION_FAILED with a payload, UNAUTHENTICATED unless public, FORBIDDEN with permissions,
 * NOT_FOUND with a path parameter, UNAVAILABLE and INTERNAL always). Read only by the API
 * reference.
 */
export const ApiErrors = (...codes: ErrorCode[]): MethodDecorator => SetMetadata(API_ERRORS_KEY, codes);
