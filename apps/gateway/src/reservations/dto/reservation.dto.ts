import { applyDecorators } from '@nestjs/common';
import {
  COMBO_PAGE_MAX_LIMIT,
  type ReservationsQuery,
  type ReservationStatus,
  type ReserveRequest,
} from '@tickets/protocol';
import { IsIdParam, IsPageLimit, IsPageOffset } from '../../common/validation';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsLevel } from '../../levels/dto/levels.dto';

export const RESERVATION_STATUSES: readonly ReservationStatus[] = [
  'held',
  'confirmed',
  'cancelled',
  'expired',
  'released',
];

/** Reservations per page of `GET /api/events/:eventId/reservations`. */
export const RESERVATIONS_PAGE_MAX_LIMIT = 100;

/** A client-chosen idempotency key: 1–64 characters of letters, digits, _ . : - */
export const IsRequestId = () =>
  applyDecorators(
    IsString(),
    MinLength(1),
    MaxLength(64),
    Matches(/^[\w.:-]+$/, { message: 'requestId may contain letters, digits, _ . : - only' }),
  );

export class ReserveDto implements ReserveRequest {
  @IsLevel()
  level: number;

  @IsRequestId()
  requestId: string;
}

export class ReservationParams {
  @IsIdParam()
  id: number;
}

/** `GET /api/events/:eventId/reservations`: a page of the event's reservations. */
export class ReservationsQueryDto implements ReservationsQuery {
  @IsPageOffset()
  offset?: number;

  @IsPageLimit(RESERVATIONS_PAGE_MAX_LIMIT)
  limit?: number;

  @IsOptional()
  @IsIn(RESERVATION_STATUSES)
  status?: ReservationStatus;
}

/** `GET /api/reservations/:id`: which of the reservation's tickets to show. */
export class ReservationTicketsQueryDto {
  @IsPageOffset()
  offset?: number;

  @IsPageLimit(COMBO_PAGE_MAX_LIMIT)
  limit?: number;
}
