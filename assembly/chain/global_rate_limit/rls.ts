// Envoy's rate limit service API on the wire (envoy/service/ratelimit/v3/rls.proto), written and read by hand:
//   RateLimitRequest { string domain = 1; repeated RateLimitDescriptor descriptors = 2; }
//   RateLimitDescriptor { repeated Entry entries = 1; }  Entry { string key = 1; string value = 2; }
//   RateLimitResponse { Code overall_code = 1; ... }  Code { UNKNOWN = 0; OK = 1; OVER_LIMIT = 2; }
import { ByteBuffer } from "../../lib/bytes";
import { GlobalRateLimitConfig } from "./config";
import { Metadata } from "../../core/metadata";
import { appendField, appendVarint, fieldLength } from "../../lib/protobuf";

export const SERVICE_NAME = "envoy.service.ratelimit.v3.RateLimitService";
export const METHOD_NAME = "ShouldRateLimit";

/** The check's answer, as `Filter.onResume` receives it. */
export enum RateLimitAnswer {
  Ok = 0,
  OverLimit = 1,
  /** The call failed or timed out. */
  Error = 2,
}

/** Where the module's gRPC client sends a check; its answer comes back as a `RateLimitAnswer` through `resume`. */
export abstract class RateLimitService {
  /** Starts the call for the request being processed; false when it could not be started. */
  abstract check(cluster: string, request: ByteBuffer, timeoutMs: u32): bool;
}

const TAG_DOMAIN: u32 = 0x0a;
const TAG_DESCRIPTORS: u32 = 0x12;
const TAG_ENTRIES: u32 = 0x0a;
const TAG_KEY: u32 = 0x0a;
const TAG_VALUE: u32 = 0x12;

/**
 * Writes the RateLimitRequest for `request` into `out` (cleared first); false when the request lacks one of the
 * descriptor's properties: like Envoy's rate limit actions, such a request is not checked.
 */
export function encodeRateLimitRequest(config: GlobalRateLimitConfig, request: Metadata, out: ByteBuffer): bool {
  const entries = config.entries;
  let descriptorLength = 0;
  for (let i = 0; i < entries.length; i++) {
    const property = entries[i].property;
    const at = request.find(changetype<usize>(property), property.byteLength);
    if (at < 0) return false;
    descriptorLength += fieldLength(entryLength(entries[i].descriptorKey.byteLength, request.valueLength(at)));
  }
  out.clear();
  appendField(out, TAG_DOMAIN, changetype<usize>(config.domain), config.domain.byteLength);
  out.appendU8(TAG_DESCRIPTORS);
  appendVarint(out, descriptorLength);
  for (let i = 0; i < entries.length; i++) {
    const property = entries[i].property;
    const at = request.find(changetype<usize>(property), property.byteLength);
    const key = entries[i].descriptorKey;
    out.appendU8(TAG_ENTRIES);
    appendVarint(out, entryLength(key.byteLength, request.valueLength(at)));
    appendField(out, TAG_KEY, changetype<usize>(key), key.byteLength);
    appendField(out, TAG_VALUE, request.valuePtr(at), request.valueLength(at));
  }
  return true;
}

/** Reads RateLimitResponse.overall_code: OVER_LIMIT is over the limit, anything else passes (as in Envoy). */
export function decodeRateLimitResponse(ptr: usize, length: i32): RateLimitAnswer {
  let pos = 0;
  while (pos < length) {
    const tag = readVarint(ptr, length, pos);
    if (varintEnd < 0) return RateLimitAnswer.Error;
    pos = varintEnd;
    const wireType = <u32>(tag & 7);
    if (wireType == 0) {
      const value = readVarint(ptr, length, pos);
      if (varintEnd < 0) return RateLimitAnswer.Error;
      pos = varintEnd;
      if (tag >> 3 == 1) return value == 2 ? RateLimitAnswer.OverLimit : RateLimitAnswer.Ok;
    } else if (wireType == 2) {
      const size = readVarint(ptr, length, pos);
      if (varintEnd < 0 || size > <u64>(length - varintEnd)) return RateLimitAnswer.Error;
      pos = varintEnd + <i32>size;
    } else if (wireType == 1 || wireType == 5) {
      pos += wireType == 1 ? 8 : 4;
    } else {
      return RateLimitAnswer.Error;
    }
  }
  return pos == length ? RateLimitAnswer.Ok : RateLimitAnswer.Error; // overall_code absent: UNKNOWN
}

function entryLength(keyLength: i32, valueLength: i32): i32 {
  return fieldLength(keyLength) + fieldLength(valueLength);
}

/** Where the last `readVarint` ended, or -1 when the varint was cut short or too long. */
let varintEnd: i32 = 0;

function readVarint(ptr: usize, length: i32, pos: i32): u64 {
  let value: u64 = 0;
  for (let shift: u64 = 0; shift < 64; shift += 7) {
    if (pos >= length) break;
    const b = <u64>load<u8>(ptr + <usize>pos);
    pos++;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      varintEnd = pos;
      return value;
    }
  }
  varintEnd = -1;
  return 0;
}
