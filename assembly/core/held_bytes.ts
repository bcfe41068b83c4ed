// The bytes a VM holds in partial frames (frames whose rest has not arrived), against the VM's budget for them: wasm
// memory never shrinks, and a VM that reaches V8's limit (1 GiB) fails with every connection of its worker, so
// hostile peers that announce frames and never finish them must be stopped before. One account per VM: every plugin
// and connection of the VM draws on it.

/** A VM's default budget, when its configuration names none. */
export const DEFAULT_PARTIAL_FRAME_BUDGET: i64 = 64 * 1024 * 1024;

@final
export class HeldBytes {
  /** Bytes of memory the partial frames of the VM's connections hold. */
  held: i64 = 0;

  constructor(public budget: i64 = DEFAULT_PARTIAL_FRAME_BUDGET) {}

  @inline add(delta: i64): void {
    this.held += delta;
  }

  get overBudget(): bool {
    return this.held > this.budget;
  }
}
