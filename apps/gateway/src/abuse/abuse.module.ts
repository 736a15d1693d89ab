import { Global, Module } from '@nestjs/common';
import { AbuseLimits } from './abuse-limits';

@Global()
@Module({ providers: [AbuseLimits], exports: [AbuseLimits] })
export class AbuseModule {}
