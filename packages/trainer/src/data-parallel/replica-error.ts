/**
 * A replica of a data-parallel run failed: its training step threw, its worker crashed or exited, or it could not
 * start. `replica` is its index (1 .. count-1); the message names it and the cause.
 */
export class ReplicaError extends Error {
  readonly replica: number;
  constructor(replica: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplicaError';
    this.replica = replica;
  }
}
