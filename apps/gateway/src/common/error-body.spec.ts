import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { RateLimitedError } from '../abuse/abuse-limits';
import { AppError } from './app-error';
import { toErrorBody } from './error-body';

describe('toErrorBody', () => {
  it('keeps an AppError code with its HTTP status', () => {
    expect(toErrorBody(new AppError('LEVEL_UNAVAILABLE', 'gone'))).toEqual({
      statusCode: 409,
      code: 'LEVEL_UNAVAILABLE',
      message: 'gone',
    });
  });

  it('says when to retry a RATE_LIMITED call', () => {
    expect(toErrorBody(new RateLimitedError('slow down', 7))).toEqual({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: 'slow down',
      retryAfterSeconds: 7,
    });
  });

  it('maps framework HTTP errors onto protocol codes', () => {
    expect(toErrorBody(new NotFoundException('Cannot GET /x'))).toEqual({
      statusCode: 404,
      code: 'NOT_FOUND',
      message: 'Cannot GET /x',
    });
    expect(toErrorBody(new BadRequestException(['a', 'b']))).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'a; b',
    });
    expect(toErrorBody(new PayloadTooLargeException())).toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('answers UNAVAILABLE for an unreachable backing service and INTERNAL without details otherwise', () => {
    expect(toErrorBody(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toMatchObject({
      statusCode: 503,
      code: 'UNAVAILABLE',
    });
    expect(toErrorBody({ driverError: { code: 'PROTOCOL_CONNECTION_LOST' } })).toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(toErrorBody(new TypeError('secret detail'))).toEqual({
      statusCode: 500,
      code: 'INTERNAL',
      message: 'Internal error',
    });
  });
});
