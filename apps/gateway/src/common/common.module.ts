import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { RandomSource } from './random-source';
import { Timers } from './timers';

@Global()
@Module({ providers: [Clock, RandomSource, Timers], exports: [Clock, RandomSource, Timers] })
export class CommonModule {}
