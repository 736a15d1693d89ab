/**
 * Entry point of the worker thread that checkpoints the embedded SQLite database (see
 * SqliteCheckpointer): a connection of its own copies the write-ahead log into the database file,
 * so the gateway's event loop never does.
 */
import Database from 'better-sqlite3';
import { workerData } from 'node:worker_threads';
import { serveRequests } from '../common/worker-thread';

export interface CheckpointRequest {
  /** PASSIVE while serving (never waits for readers or writers); TRUNCATE at shutdown. */
  mode: 'PASSIVE' | 'TRUNCATE';
}

export interface CheckpointReply {
  /** Frames in the log, and frames copied into the database, after this checkpoint. */
  logFrames: number;
  checkpointedFrames: number;
}

const db = new Database((workerData as { file: string }).file, { timeout: 10_000 });
serveRequests<CheckpointRequest, CheckpointReply>(({ mode }) => {
  const [row] = db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
  return { reply: { logFrames: row?.log ?? 0, checkpointedFrames: row?.checkpointed ?? 0 } };
});
