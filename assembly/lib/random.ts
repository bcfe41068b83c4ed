// A fast, non-cryptographic random source (splitmix64): proxy-wasm gives a module no random call, so generators are
// seeded from what differs between VMs and moments (the clock, a connection id).

@final
export class SplitMix64 {
  private state: u64 = 0;

  get seeded(): bool {
    return this.state != 0;
  }

  /** Seeds the generator (a zero seed is made odd, so the generator counts as seeded). */
  seed(value: u64): void {
    this.state = value | 1;
  }

  next(): u64 {
    this.state += 0x9e3779b97f4a7c15;
    let z = this.state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

  /** A uniform 32-bit draw. */
  next32(): u32 {
    return <u32>(this.next() >> 32);
  }
}
