import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { LiveUpdates } from './live-updates';
import { RandomSource } from './random-source';
import { RedisClients } from './redis-clients';
import { RequestDeadline } from './request-deadline';
import { Timers } from './timers';

@Global()
@Module({
  providers: [Clock, RandomSource, Timers, LiveUpdates, RedisClients, RequestDeadline],
  exports: [Clock, RandomSource, Timers, LiveUpdates, RedisClients, RequestDeadline],
})
export class CommonModule {}
