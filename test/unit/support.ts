// Test doubles and frame builders shared by the unit tests.
import { Bytes, ByteBuffer } from "../../assembly/lib/bytes";
import { Codec } from "../../assembly/core/codec";
import { parsePluginConfig } from "../../assembly/core/plugin_config";
import { LogLevel, Logger } from "../../assembly/core/log";
import { Plugin } from "../../assembly/core/plugin";
import { RateLimitService } from "../../assembly/chain/global_rate_limit/rls";
import { SharedStore } from "../../assembly/core/shared_store";
import { MetricKind, MetricSink, Stats } from "../../assembly/core/stats/stats";
import { buildFilterChain } from "../../assembly/chain/filters";
import { AwesomeRpcCodec } from "../../filters/awesomerpc/codec";

/** An awesomerpc frame with a body of `bodyLength` bytes 'a', 'b', ... */
export function awesomeFrame(requestId: u32, command: i16, responseCode: i16, bodyLength: i32): Uint8Array {
  const out = new ByteBuffer();
  out.appendU8(1);
  out.appendU32be(requestId);
  out.appendU32be(13 + bodyLength);
  out.appendU16be(<u16>command);
  out.appendU16be(<u16>responseCode);
  for (let i = 0; i < bodyLength; i++) out.appendU8(0x61 + (i % 26));
  return toArray(out.ptr, out.length);
}

export function toArray(ptr: usize, length: i32): Uint8Array {
  const a = new Uint8Array(length);
  memory.copy(a.dataStart, ptr, <usize>length);
  return a;
}

export function concat(parts: Array<Uint8Array>): Uint8Array {
  let total = 0;
  for (let i = 0; i < parts.length; i++) total += parts[i].length;
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

/** Records metrics by name, as the host would. */
export class RecordingSink extends MetricSink {
  names: Array<string> = [];
  values: Array<i64> = [];
  samples: Array<u64> = [];
  sampleIds: Array<u32> = [];
  kinds: Array<MetricKind> = [];
  hostCalls: i32 = 0;

  define(kind: MetricKind, name: string): u32 {
    this.names.push(name);
    this.values.push(0);
    this.kinds.push(kind);
    return this.names.length - 1;
  }

  add(id: u32, delta: i64): void {
    this.hostCalls++;
    this.values[id] += delta;
  }

  record(id: u32, value: u64): void {
    this.hostCalls++;
    this.samples.push(value);
    this.sampleIds.push(id);
  }

  /** The values recorded into the histogram `name` (named as for `value`). */
  samplesOf(name: string): Array<u64> {
    const at = this.names.indexOf((name.startsWith("by_method.") ? "meta_protocol." : "meta_protocol.awesomerpc.test.") + name);
    if (at < 0) throw new Error("no metric " + name);
    const out: Array<u64> = [];
    for (let i = 0; i < this.samples.length; i++) if (this.sampleIds[i] == <u32>at) out.push(this.samples[i]);
    return out;
  }

  /** `name` after `meta_protocol.awesomerpc.test.`, or after `meta_protocol.` when it starts with `by_method.`. */
  value(name: string): i64 {
    const at = this.names.indexOf((name.startsWith("by_method.") ? "meta_protocol." : "meta_protocol.awesomerpc.test.") + name);
    if (at < 0) throw new Error("no metric " + name);
    return this.values[at];
  }
}

export class RecordingLogger extends Logger {
  lines: Array<string> = [];

  write(level: LogLevel, message: string): void {
    this.lines.push(message);
  }

  writeUtf8(level: LogLevel, ptr: usize, length: i32): void {
    this.lines.push(String.UTF8.decodeUnsafe(ptr, <usize>length));
  }
}

// The codec the newest TestPlugin's connections use (a factory cannot capture a local in AssemblyScript).
let testCodec: Codec = new AwesomeRpcCodec();

function createTestCodec(): Codec {
  return testCodec;
}

/** Shared data in memory, with Envoy's CAS rules; `interfere` makes the next write lose to another writer. */
export class MemorySharedStore extends SharedStore {
  private keys: Array<string> = [];
  private values: Array<ArrayBuffer> = [];
  private versions: Array<u32> = [];
  interfere: i32 = 0;

  read(key: ArrayBuffer): bool {
    const at = this.keys.indexOf(String.UTF8.decode(key));
    if (at < 0) {
      this.cas = 0;
      return false;
    }
    this.valuePtr = changetype<usize>(this.values[at]);
    this.valueLength = this.values[at].byteLength;
    this.cas = this.versions[at];
    return true;
  }

  write(key: ArrayBuffer, ptr: usize, length: i32, cas: u32): bool {
    const name = String.UTF8.decode(key);
    let at = this.keys.indexOf(name);
    if (this.interfere > 0 && at >= 0) {
      this.interfere--;
      this.versions[at]++;
    }
    if (at >= 0 && cas != 0 && cas != this.versions[at]) return false;
    const copy = new ArrayBuffer(length);
    memory.copy(changetype<usize>(copy), ptr, <usize>length);
    if (at < 0) {
      this.keys.push(name);
      this.values.push(copy);
      this.versions.push(1);
    } else {
      this.values[at] = copy;
      this.versions[at]++;
    }
    return true;
  }
}

/** A configured awesomerpc plugin with the module's filter chain, metrics and logs recorded. */
export class TestPlugin {
  sink: RecordingSink;
  logger: RecordingLogger;
  store: MemorySharedStore;
  plugin: Plugin;

  constructor(
    configuration: string = '{"stat_prefix": "test"}',
    codec: Codec = new AwesomeRpcCodec(),
    rateLimitService: RateLimitService | null = null,
  ) {
    const config = parsePluginConfig(configuration, "test").config;
    if (config === null) throw new Error("bad test configuration");
    const sink = new RecordingSink();
    const logger = new RecordingLogger();
    const store = new MemorySharedStore();
    this.sink = sink;
    this.logger = logger;
    this.store = store;
    testCodec = codec;
    const stats = new Stats(sink, "meta_protocol.awesomerpc.test.", codec.serviceKey(), codec.methodKey());
    this.plugin = new Plugin(codec, createTestCodec, config, stats, logger, store, rateLimitService);
    buildFilterChain(this.plugin);
  }
}

/** A view on a generated vector (read only: copy it before patching). */
export function vectorBytes(vector: StaticArray<u8>, length: i32 = -1): Bytes {
  return new Bytes().set(changetype<usize>(vector), length < 0 ? vector.length : length);
}

/** A copy of a vector that a test may patch. */
export function vectorCopy(vector: StaticArray<u8>): StaticArray<u8> {
  const out = new StaticArray<u8>(vector.length);
  memory.copy(changetype<usize>(out), changetype<usize>(vector), <usize>vector.length);
  return out;
}

/** `a` then `b`. */
export function joinVectors(a: StaticArray<u8>, b: StaticArray<u8>): StaticArray<u8> {
  const out = new StaticArray<u8>(a.length + b.length);
  memory.copy(changetype<usize>(out), changetype<usize>(a), <usize>a.length);
  memory.copy(changetype<usize>(out) + <usize>a.length, changetype<usize>(b), <usize>b.length);
  return out;
}

/** Bytes from hex digits; spaces and '|' are ignored ("80 01 | 00 01"): for hand-built input. */
export function hexVector(text: string): StaticArray<u8> {
  const digits = text.replaceAll(" ", "").replaceAll("|", "");
  const out = new StaticArray<u8>(digits.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = <u8>I32.parseInt(digits.substr(i * 2, 2), 16);
  return out;
}

/** `length` bytes at `ptr` as hex ("80 01 00 01"), for failure messages. */
export function hexOf(ptr: usize, length: i32): string {
  const parts = new Array<string>();
  for (let i = 0; i < length; i++) {
    const b = <u32>load<u8>(ptr + <usize>i);
    parts.push((b < 16 ? "0" : "") + b.toString(16));
  }
  return parts.join(" ");
}
