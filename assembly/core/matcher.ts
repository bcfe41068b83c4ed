// A metadata matcher with Envoy's HeaderMatcher semantics (what MetaProtocol routes use): the key's value must be
// exact / have a prefix / a suffix / contain a string / fully match a regex / be present; `invert_match` negates.
// Values are compared as UTF-8 bytes, without allocating.
import { bytesEqual } from "../lib/bytes";
import { Metadata } from "./metadata";
import { Regex } from "../lib/regex/regex";

export enum MatchKind {
  Exact = 0,
  Prefix = 1,
  Suffix = 2,
  Contains = 3,
  SafeRegex = 4,
  Present = 5,
}

@final
export class MetadataMatcher {
  /** The metadata key matched (UTF-8). */
  readonly key: ArrayBuffer;
  private readonly value: ArrayBuffer;

  constructor(
    key: string,
    public readonly kind: MatchKind,
    value: string,
    /** For Present: whether the key must be there (true) or absent (false). */
    private readonly present: bool,
    private readonly regex: Regex | null,
    private readonly invert: bool,
  ) {
    this.key = String.UTF8.encode(key);
    this.value = String.UTF8.encode(value);
  }

  matches(md: Metadata): bool {
    const at = md.find(changetype<usize>(this.key), this.key.byteLength);
    let result: bool;
    if (this.kind == MatchKind.Present) {
      result = (at >= 0) == this.present;
    } else if (at < 0) {
      // Envoy's HeaderMatcher (without treat_missing_header_as_empty): a value matcher never matches a missing
      // header, inverted or not.
      return false;
    } else {
      result = this.matchValue(md.valuePtr(at), md.valueLength(at));
    }
    return this.invert ? !result : result;
  }

  private matchValue(ptr: usize, length: i32): bool {
    const want = changetype<usize>(this.value);
    const n = this.value.byteLength;
    switch (this.kind) {
      case MatchKind.Exact:
        return bytesEqual(ptr, length, want, n);
      case MatchKind.Prefix:
        return length >= n && bytesEqual(ptr, n, want, n);
      case MatchKind.Suffix:
        return length >= n && bytesEqual(ptr + <usize>(length - n), n, want, n);
      case MatchKind.Contains:
        for (let i = 0; i + n <= length; i++) if (bytesEqual(ptr + <usize>i, n, want, n)) return true;
        return false;
      default:
        return this.regex!.matches(ptr, length);
    }
  }
}

/** Whether every matcher matches `md` (an empty list matches everything). */
export function matchesAll(matchers: Array<MetadataMatcher>, md: Metadata): bool {
  for (let i = 0, n = matchers.length; i < n; i++) if (!unchecked(matchers[i]).matches(md)) return false;
  return true;
}
