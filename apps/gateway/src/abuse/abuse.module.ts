import { Module } from '@nestjs/common';
import { AbuseLimits } from './abuse-limits';

/** The abuse limits, one mechanism for REST and socket. */
@Module({ providers: [AbuseLimits], exports: [AbuseLimits] })
export class AbuseModule {}
