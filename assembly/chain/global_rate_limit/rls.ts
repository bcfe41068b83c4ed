// Envoy's rate limit service API on the wire (envoy/service/ratelimit/v3/rls.proto), written and read by hand:
//   RateLimitRequest { string domain = 1; repeated RateLimitDescriptor descriptors = 2; }
//   RateLimitDescriptor { repeated Entry entries = 1; }  Entry { string key = 1; string value = 2; }
//   RateLimitResponse { Code overall_code = 1; ... }  Code { UNKNOWN = 0; OK = 1; OVER_LIMIT = 2; }
import { ByteBuffer } from "../../lib/bytes";
import { ByteReader } from "../../lib/byte_reader";
import { appendField, appendVarint, fieldLength } from "../../lib/protobuf";
import { Metadata } from "../../core/metadata";
import { GlobalRateLimitConfig } from "./config";

export const SERVICE_NAME = String.UTF8.encode("envoy.service.ratelimit.v3.RateLimitService");
export const METHOD_NAME = String.UTF8.encode("ShouldRateLimit");

export enum RateLimitAnswer {
  Ok = 0,
  OverLimit = 1,
  /** The answer is not a RateLimitResponse. */
  Error = 2,
}

const TAG_DOMAIN: u32 = 0x0a;
const TAG_DESCRIPTORS: u32 = 0x12;
const TAG_ENTRIES: u32 = 0x0a;
const TAG_KEY: u32 = 0x0a;
const TAG_VALUE: u32 = 0x12;
const FIELD_OVERALL_CODE: u64 = 1;
const CODE_OVER_LIMIT: u64 = 2;
const WIRE_VARINT: u32 = 0;
const WIRE_FIXED64: u32 = 1;
const WIRE_LENGTH_DELIMITED: u32 = 2;
const WIRE_FIXED32: u32 = 5;

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
export function decodeRateLimitResponse(reader: ByteReader, ptr: usize, length: i32): RateLimitAnswer {
  const r = reader.reset(ptr, length);
  while (r.remaining > 0) {
    const tag = r.varint();
    const wireType = <u32>(tag & 7);
    if (wireType == WIRE_VARINT) {
      const value = r.varint();
      if (r.failed) return RateLimitAnswer.Error;
      if (tag >> 3 == FIELD_OVERALL_CODE) return value == CODE_OVER_LIMIT ? RateLimitAnswer.OverLimit : RateLimitAnswer.Ok;
    } else if (wireType == WIRE_LENGTH_DELIMITED) {
      r.skip(<i64>r.varint());
    } else if (wireType == WIRE_FIXED64 || wireType == WIRE_FIXED32) {
      r.skip(wireType == WIRE_FIXED64 ? 8 : 4);
    } else {
      return RateLimitAnswer.Error;
    }
    if (r.failed) return RateLimitAnswer.Error;
  }
  return RateLimitAnswer.Ok; // overall_code absent: UNKNOWN
}

function entryLength(keyLength: i32, valueLength: i32): i32 {
  return fieldLength(keyLength) + fieldLength(valueLength);
}
