// HPACK's static table (RFC 7541 Appendix A): 61 fields, indexed from 1. Its text is one string; its bytes and an
// index (offsets, and a small hash of the names for the encoder) are made once when the module starts.
import { ByteBuffer, bytesEqual } from "../bytes";

export const STATIC_TABLE_LENGTH: i32 = 61;

/** One entry per line: the name, then after the first space the value (if any). One literal: one data segment. */
const TEXT = `:authority
:method GET
:method POST
:path /
:path /index.html
:scheme http
:scheme https
:status 200
:status 204
:status 206
:status 304
:status 400
:status 404
:status 500
accept-charset
accept-encoding gzip, deflate
accept-language
accept-ranges
accept
access-control-allow-origin
age
allow
authorization
cache-control
content-disposition
content-encoding
content-language
content-length
content-location
content-range
content-type
cookie
date
etag
expect
expires
from
host
if-match
if-modified-since
if-none-match
if-range
if-unmodified-since
last-modified
link
location
max-forwards
proxy-authenticate
proxy-authorization
range
referer
refresh
retry-after
server
set-cookie
strict-transport-security
transfer-encoding
user-agent
vary
via
www-authenticate
`;

const NAME_HASH_SLOTS: i32 = 128;

const bytes = new ByteBuffer();
/** Per index (0 unused): name offset, name length, value offset, value length, in `bytes`. */
const fields = new StaticArray<u16>((STATIC_TABLE_LENGTH + 1) * 4);
/** The first index of each distinct name, by name hash (open addressing; 0 = empty). */
const byNameHash = new StaticArray<u8>(NAME_HASH_SLOTS);

function nameHash(ptr: usize, length: i32): i32 {
  return (length * 31 + <i32>load<u8>(ptr) * 7 + <i32>load<u8>(ptr + <usize>(length - 1))) & (NAME_HASH_SLOTS - 1);
}

function build(): void {
  bytes.appendUtf8(TEXT);
  let start = 0;
  for (let index = 1; index <= STATIC_TABLE_LENGTH; index++) {
    let end = start;
    while (load<u8>(bytes.ptr + <usize>end) != 0x0a) end++;
    let space = start;
    while (space < end && load<u8>(bytes.ptr + <usize>space) != 0x20) space++;
    const base = index * 4;
    unchecked((fields[base] = <u16>start));
    unchecked((fields[base + 1] = <u16>(space - start)));
    unchecked((fields[base + 2] = <u16>(space < end ? space + 1 : end)));
    unchecked((fields[base + 3] = <u16>(space < end ? end - space - 1 : 0)));
    if (findName(bytes.ptr + <usize>start, space - start) == 0) {
      let slot = nameHash(bytes.ptr + <usize>start, space - start);
      while (unchecked(byNameHash[slot]) != 0) slot = (slot + 1) & (NAME_HASH_SLOTS - 1);
      unchecked((byNameHash[slot] = <u8>index));
    }
    start = end + 1;
  }
}

// @ts-ignore: decorator
@inline
export function staticNamePtr(index: i32): usize {
  return bytes.ptr + <usize>unchecked(fields[index * 4]);
}

// @ts-ignore: decorator
@inline
export function staticNameLength(index: i32): i32 {
  return <i32>unchecked(fields[index * 4 + 1]);
}

// @ts-ignore: decorator
@inline
export function staticValuePtr(index: i32): usize {
  return bytes.ptr + <usize>unchecked(fields[index * 4 + 2]);
}

// @ts-ignore: decorator
@inline
export function staticValueLength(index: i32): i32 {
  return <i32>unchecked(fields[index * 4 + 3]);
}

/** The first index with this name, or 0. */
export function findName(ptr: usize, length: i32): i32 {
  if (length == 0) return 0;
  let slot = nameHash(ptr, length);
  for (let probes = 0; probes < NAME_HASH_SLOTS; probes++) {
    const index = <i32>unchecked(byNameHash[slot]);
    if (index == 0) return 0;
    if (bytesEqual(staticNamePtr(index), staticNameLength(index), ptr, length)) return index;
    slot = (slot + 1) & (NAME_HASH_SLOTS - 1);
  }
  return 0;
}

/** The index with this name and value, or 0 (entries of one name are consecutive). */
export function findField(nameIndex: i32, valuePtr: usize, valueLength: i32): i32 {
  const namePtr = staticNamePtr(nameIndex);
  const nameLength = staticNameLength(nameIndex);
  for (let index = nameIndex; index <= STATIC_TABLE_LENGTH; index++) {
    if (!bytesEqual(staticNamePtr(index), staticNameLength(index), namePtr, nameLength)) return 0;
    if (bytesEqual(staticValuePtr(index), staticValueLength(index), valuePtr, valueLength)) return index;
  }
  return 0;
}

build();
