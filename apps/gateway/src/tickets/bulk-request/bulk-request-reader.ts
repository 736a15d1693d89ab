import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ErrorCode } from '@tickets/protocol';
import { AppError } from '../../common/app-error';
import { WorkerThread, workerScriptAt } from '../../common/worker-thread';
import type { BulkRequest, BulkRequestReading } from './bulk-request';

/**
 * Decodes bulk ticket bodies in a worker thread of its own: parsing and checking 100,000 tickets
 * (up to 12 MB of JSON) takes tens of milliseconds, which the event loop must not spend. The body
 * arrives as raw bytes (the route has no JSON parser) and goes over without a copy.
 */
@Injectable()
export class BulkRequestReader implements OnApplicationShutdown {
  private thread = this.spawn();
  private closing = false;

  async read(body: unknown): Promise<BulkRequest> {
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new AppError(
        ErrorCode.VALIDATION_FAILED,
        'Send the tickets as a JSON body (Content-Type: application/json)',
      );
    }
    // A copy of our own to hand over: the body's buffer may be shared with others (Node's pool).
    const bytes = new Uint8Array(body.byteLength);
    bytes.set(body);
    const reading: BulkRequestReading = await this.thread.request(bytes, [bytes.buffer]);
    if (!reading.ok) throw new AppError(ErrorCode.VALIDATION_FAILED, reading.message);
    return reading.request;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.thread.terminate();
  }

  private spawn(): WorkerThread<Uint8Array, BulkRequestReading> {
    return new WorkerThread(workerScriptAt(__dirname, 'bulk-request-worker'), () => {
      // A crash fails only the request it was reading; the next one gets a new thread.
      if (!this.closing) this.thread = this.spawn();
    });
  }
}
