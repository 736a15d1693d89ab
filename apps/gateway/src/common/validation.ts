import { applyDecorators, ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ErrorCode, PLAIN_TEXT_PATTERN } from '@tickets/protocol';
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
      new AppError(
        ErrorCode.VALIDATION_FAILED,
        describe(errors).slice(0, 10).join('; ') || 'Invalid payload',
      ),
  });
}

/** Largest id of a row (the columns are signed 32-bit integers). */
export const MAX_ID = 2 ** 31 - 1;
/** Largest offset into any list; nothing of ours is longer. */
export const MAX_OFFSET = 1_000_000_000;

/**
 * Path and query values arrive as strings: only plain decimal integers (no sign, exponent, hex,
 * leading zeros or spaces) become numbers; anything else stays a string and fails IsInt.
 */
export const DecimalInteger = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^(0|[1-9]\d{0,15})$/.test(value) ? Number(value) : value,
  );

/** A row id in a body or socket payload. */
export const IsId = () => applyDecorators(IsInt(), Min(1), Max(MAX_ID));

/** A row id in the path or query string. */
export const IsIdParam = () => applyDecorators(DecimalInteger(), IsId());

/** An offset in a body or socket payload (optional). */
export const IsOffset = () => applyDecorators(IsOptional(), IsInt(), Min(0), Max(MAX_OFFSET));

/** An optional query-string offset: a decimal integer from 0 to MAX_OFFSET. */
export const IsPageOffset = () =>
  applyDecorators(IsOptional(), DecimalInteger(), IsInt(), Min(0), Max(MAX_OFFSET));

/** An optional query-string page size: a decimal integer from 1 to max. */
export const IsPageLimit = (max: number) =>
  applyDecorators(IsOptional(), DecimalInteger(), IsInt(), Min(1), Max(max));

/** A name or label: a string of min..max characters without control or bidi-override characters. */
export const IsPlainText = (min: number, max: number) =>
  applyDecorators(
    IsString(),
    MinLength(min),
    MaxLength(max),
    Matches(PLAIN_TEXT_PATTERN, { message: '$property may not contain control or bidi-override characters' }),
  );
