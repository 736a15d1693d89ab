import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorCode } from '@tickets/protocol';
import { AppError } from './app-error';

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) => (parent ? `${path}: ${text}` : text));
    return [...own, ...describe(error.children ?? [], path)];
  });
}

/** The one validation pipe for REST and socket payloads: whitelist, transform, VALIDATION_FAILED on error. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      new AppError(ErrorCode.VALIDATION_FAILED, describe(errors).slice(0, 10).join('; ') || 'Invalid payload'),
  });
}
