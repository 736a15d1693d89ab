import { applyDecorators, ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ErrorCode } from '@tickets/protocol';
import { AppError } from './app-error';
import { shapeProblem } from './payload-shape';

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) => (parent ? `${path}: ${text}` : text));
    return [...own, ...describe(error.children ?? [], path)];
  });
}

/**
 * A ValidationPipe that first checks the payload's shape cheaply (see shapeProblem), so that a
 * hostile payload is refused before class-transformer spends time on it.
 */
class ShapeCheckedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.metatype && this.toValidate(metadata)) {
      const problem = shapeProblem(value);
      if (problem) throw new AppError(ErrorCode.VALIDATION_FAILED, `The payload has ${problem}`);
    }
    return super.transform(value, metadata);
  }
}

/** The one validation pipe for REST and socket payloads: shape check, whitelist, transform, VALIDATION_FAILED on error. */
export function createValidationPipe(): ValidationPipe {
  return new ShapeCheckedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      new AppError(ErrorCode.VALIDATION_FAILED, describe(errors).slice(0, 10).join('; ') || 'Invalid payload'),
  });
}

/** An optional query-string offset: a non-negative integer. */
export const IsPageOffset = () => applyDecorators(IsOptional(), Type(() => Number), IsInt(), Min(0));

/** An optional query-string page size: an integer from 1 to max. */
export const IsPageLimit = (max: number) => applyDecorators(IsOptional(), Type(() => Number), IsInt(), Min(1), Max(max));
