import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { LiveUpdates } from './live-updates';
import { RandomSource } from './random-source';
import { Timers } from './timers';

@Global()
@Module({ providers: [Clock, RandomSource, Timers, LiveUpdates], exports: [Clock, RandomSource, Timers, LiveUpdates] })
export class CommonModule {}
