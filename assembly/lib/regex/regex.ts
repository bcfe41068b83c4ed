// RE2-syntax regular expressions that must match the whole input (RE2's FullMatch): AssemblyScript has no RegExp.
//
// Like RE2, matching takes time linear in the input: the pattern is parsed (parser.ts: the syntax it accepts and
// refuses), compiled to a Thompson program of bounded size (compiler.ts) and run as a Pike VM (matcher.ts).
//
// Errors are returned, never thrown (a trap kills the VM). Compiling allocates; matching does not, but for the buffer
// that remembers the last input, which grows to at most MAX_REMEMBERED_INPUT. A Regex is not reentrant (matcher.ts).
import { ByteBuffer, bytesEqual } from "../bytes";
import { compile, sizeError } from "./compiler";
import { Matcher } from "./matcher";
import { Parser } from "./parser";

export { MAX_PROGRAM_SIZE } from "./compiler";

/** Inputs up to this size are remembered with their answer (service and method names are short). */
const MAX_REMEMBERED_INPUT: i32 = 256;

export class RegexResult {
  regex: Regex | null = null;
  /** Why the pattern was refused, with the offset (an index into the pattern string) where it went wrong; "" if not. */
  error: string = "";
}

@final
export class Regex {
  private matcher: Matcher;
  /** Number of instructions (the MATCH one included). */
  readonly programSize: i32;
  /** The last input `matches` ran on (when short enough to keep), and its answer. */
  private lastInput: ByteBuffer = new ByteBuffer();
  private lastResult: bool = false;
  private remembered: bool = false;

  private constructor(matcher: Matcher, programSize: i32) {
    this.matcher = matcher;
    this.programSize = programSize;
  }

  /** Compiles an RE2 pattern; `regex` is null and `error` says why when the pattern is refused. */
  static compile(pattern: string): RegexResult {
    const result = new RegexResult();
    const parser = new Parser(pattern);
    const root = parser.parse();
    if (root === null) {
      result.error = parser.error;
      return result;
    }
    const tooLarge = sizeError(root);
    if (tooLarge.length > 0) {
      result.error = tooLarge;
      return result;
    }
    const program = compile(root);
    result.regex = new Regex(new Matcher(program), program.size);
    return result;
  }

  /**
   * Whether the UTF-8 bytes at `ptr` match the whole pattern (anchored at both ends). The last input's answer is kept:
   * consecutive requests mostly carry the same methods and services.
   */
  matches(ptr: usize, length: i32): bool {
    const last = this.lastInput;
    if (this.remembered && bytesEqual(ptr, length, last.ptr, last.length)) return this.lastResult;
    const result = this.matcher.run(ptr, length);
    this.remembered = length <= MAX_REMEMBERED_INPUT;
    if (this.remembered) {
      last.clear();
      last.append(ptr, length);
      this.lastResult = result;
    }
    return result;
  }

  /** `matches` on a string's UTF-8 encoding (allocates: for tests and configuration time, not per request). */
  matchesString(s: string): bool {
    const bytes = String.UTF8.encode(s);
    return this.matches(changetype<usize>(bytes), bytes.byteLength);
  }
}
