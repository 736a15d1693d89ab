import { Injectable } from '@nestjs/common';
import { randomBytes, randomInt } from 'node:crypto';

/** Randomness, injected so services can be tested deterministically. */
@Injectable()
export class RandomSource {
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return randomInt(min, max + 1);
  }
  token(bytes: number): string {
    return randomBytes(bytes).toString('base64url');
  }
}
