// Envoy's WatermarkBuffer: a buffer that reports when it grows above its high watermark (the connection's
// per_connection_buffer_limit_bytes) and when it is drained back to its low watermark (half of it).
// A limit of 0 disables both, as in Envoy.
import { ByteBuffer } from "../api.ts";

export class WatermarkBuffer extends ByteBuffer {
  private aboveHigh = false;

  constructor(
    private readonly highWatermark: number,
    private readonly onAboveHighWatermark: () => void,
    private readonly onBelowLowWatermark: () => void,
  ) {
    super();
  }

  get aboveHighWatermark(): boolean {
    return this.aboveHigh;
  }

  override append(bytes: Uint8Array): void {
    super.append(bytes);
    this.checkWatermarks();
  }

  override prepend(bytes: Uint8Array): void {
    super.prepend(bytes);
    this.checkWatermarks();
  }

  override drain(count: number): void {
    super.drain(count);
    this.checkWatermarks();
  }

  override takeAll(): Uint8Array {
    const bytes = super.takeAll();
    this.checkWatermarks();
    return bytes;
  }

  private checkWatermarks(): void {
    if (this.highWatermark === 0) return;
    if (!this.aboveHigh && this.length > this.highWatermark) {
      this.aboveHigh = true;
      this.onAboveHighWatermark();
    } else if (this.aboveHigh && this.length <= this.highWatermark / 2) {
      this.aboveHigh = false;
      this.onBelowLowWatermark();
    }
  }
}
