import { Module } from '@nestjs/common';
import { RealtimeModule } from '../realtime/realtime.module';
import { DrainState } from './drain-state';
import { GracefulShutdown } from './graceful-shutdown';

/** How a replica leaves: draining on SIGTERM and SIGINT (GracefulShutdown), and the state readiness reports (DrainState). */
@Module({ imports: [RealtimeModule], providers: [DrainState, GracefulShutdown], exports: [DrainState] })
export class LifecycleModule {}
