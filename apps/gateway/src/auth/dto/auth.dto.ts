import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  TEXT_LIMITS,
  type ChangePasswordRequest,
  type LoginRequest,
  type RegisterRequest,
} from '@tickets/protocol';
import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsString,
  MaxLength,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { IsPlainText } from '../../common/validation';

const normaliseEmail = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

/** A password long enough once the whitespace around it is ignored (a password of spaces is none). */
@ValidatorConstraint({ name: 'strongEnough' })
class StrongEnough implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && value.trim().length >= PASSWORD_MIN_LENGTH;
  }

  defaultMessage(): string {
    return `$property must have at least ${PASSWORD_MIN_LENGTH} characters besides surrounding whitespace`;
  }
}

/** A new password: PASSWORD_MIN_LENGTH characters without the surrounding whitespace, at most PASSWORD_MAX_LENGTH in all. */
const IsNewPassword = () =>
  applyDecorators(IsString(), MaxLength(PASSWORD_MAX_LENGTH), Validate(StrongEnough));

/** A password to check: any string up to the maximum (older accounts may have shorter ones). */
const IsGivenPassword = () => applyDecorators(IsString(), MaxLength(PASSWORD_MAX_LENGTH));

export class RegisterDto implements RegisterRequest {
  @Transform(normaliseEmail)
  @IsEmail()
  @MaxLength(TEXT_LIMITS.email)
  email: string;

  @IsNewPassword()
  password: string;

  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsPlainText(1, TEXT_LIMITS.displayName)
  displayName: string;
}

export class LoginDto implements LoginRequest {
  @Transform(normaliseEmail)
  @IsString()
  @MaxLength(TEXT_LIMITS.email)
  email: string;

  @IsGivenPassword()
  password: string;
}

export class ChangePasswordDto implements ChangePasswordRequest {
  @IsGivenPassword()
  currentPassword: string;

  @IsNewPassword()
  newPassword: string;
}
