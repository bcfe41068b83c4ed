// Test doubles and frame builders shared by the unit tests.
import { Bytes, ByteBuffer } from "../../assembly/lib/bytes";
import { Codec } from "../../assembly/core/codec";
import { configurePlugin } from "../../assembly/core/configure";
import { GrpcClient } from "../../assembly/core/grpc_client";
import { HostServices } from "../../assembly/core/host_services";
import { LogLevel, Logger } from "../../assembly/core/log";
import { Metadata } from "../../assembly/core/metadata";
import { Plugin } from "../../assembly/core/plugin";
import { CodecSettings, Protocol, StatelessProtocol } from "../../assembly/core/protocol";
import { SharedStore } from "../../assembly/core/shared_store";
import { MetricKind, MetricSink } from "../../assembly/core/stats/metric";
import { FILTERS } from "../../assembly/chain/filters";
import { AwesomeRpcCodec, AwesomeRpcProtocol } from "../../filters/awesomerpc/codec";

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
  /** Plugin-wide metric names start with this and the stat prefix ("test"). */
  protocolPrefix: string = "meta_protocol.protocol=.=awesomerpc;.;";
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
    const at = this.names.indexOf(this.fullName(name));
    if (at < 0) throw new Error("no metric " + name);
    const out: Array<u64> = [];
    for (let i = 0; i < this.samples.length; i++) if (this.sampleIds[i] == <u32>at) out.push(this.samples[i]);
    return out;
  }

  private fullName(name: string): string {
    return (name.startsWith("by_") ? "meta_protocol." : this.protocolPrefix + "stat_prefix=.=test;.;") + name;
  }

  /** A metric of the plugin (stat prefix "test") by its name, or one of a group (`by_method.…`) by its full name. */
  value(name: string): i64 {
    const at = this.names.indexOf(this.fullName(name));
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

/** awesomerpc's name and keys with a given codec (a test double: a codec without a carrier, say). */
export class TestProtocol extends StatelessProtocol {
  private readonly awesomerpc: AwesomeRpcProtocol = new AwesomeRpcProtocol();

  constructor(private readonly codec: Codec = new AwesomeRpcCodec()) {
    super();
  }

  name(): string {
    return this.awesomerpc.name();
  }

  methodKey(): string {
    return this.awesomerpc.methodKey();
  }

  createCodec(settings: CodecSettings): Codec {
    return this.codec;
  }
}

/** A gRPC client whose calls never start (tests without a gRPC peer). */
export class NoGrpcClient extends GrpcClient {
  call(cluster: string, service: ArrayBuffer, method: ArrayBuffer, message: ByteBuffer, timeoutMs: u32): bool {
    return false;
  }
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

/** A configured plugin (awesomerpc unless told) with the module's filter chain, metrics and logs recorded. */
export class TestPlugin {
  sink: RecordingSink;
  logger: RecordingLogger;
  store: MemorySharedStore;
  plugin: Plugin;

  constructor(
    configuration: string = '{"stat_prefix": "test"}',
    protocol: Protocol = new TestProtocol(),
    public readonly grpc: GrpcClient = new NoGrpcClient(),
  ) {
    const sink = new RecordingSink();
    sink.protocolPrefix = "meta_protocol.protocol=.=" + protocol.name() + ";.;";
    const logger = new RecordingLogger();
    const store = new MemorySharedStore();
    const configured = configurePlugin(configuration, protocol, FILTERS, new HostServices(sink, logger, store, grpc));
    if (configured.plugin === null) throw new Error("bad test configuration: " + configured.error);
    this.plugin = configured.plugin!;
    this.sink = sink;
    this.logger = logger;
    this.store = store;
  }
}

/** The error configuring `configuration` gives ("" when it is accepted). */
export function configurationError(configuration: string, protocol: Protocol = new AwesomeRpcProtocol()): string {
  const host = new HostServices(new RecordingSink(), new RecordingLogger(), new MemorySharedStore(), new NoGrpcClient());
  return configurePlugin(configuration, protocol, FILTERS, host).error;
}

/** The filter of `plugin`'s chain that is an instance of T (the first), or null. */
export function filterOf<T>(plugin: Plugin): T | null {
  const chain = plugin.chain;
  for (let i = 0; i < chain.size; i++) {
    const filter = chain.at(i);
    if (filter instanceof T) return changetype<T>(filter);
  }
  return null;
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

/** `actual` must hold the key/values of `expected` and no others (a frame decoded again after a rewrite). */
export function expectSameKeyValues(actual: Metadata, expected: Metadata, label: string): void {
  expect(actual.size).toBe(expected.size, label + ": key/value count");
  for (let i = 0; i < expected.size; i++) {
    const key = String.UTF8.decodeUnsafe(expected.keyPtr(i), <usize>expected.keyLength(i));
    expect(actual.get(key)).toBe(expected.valueString(i), label + ": " + key);
  }
}

/** The bytes `out` holds, as a vector. */
export function bufferVector(out: ByteBuffer): StaticArray<u8> {
  const vector = new StaticArray<u8>(out.length);
  memory.copy(changetype<usize>(vector), out.ptr, <usize>out.length);
  return vector;
}
