// Compiles a syntax tree to a Thompson program (program.ts), after checking that the program stays within
// MAX_PROGRAM_SIZE.
import { OP_ANY, OP_ANY_NOT_NL, OP_ASSERT, OP_CLASS, OP_JUMP, OP_MATCH, OP_RUNE, OP_SPLIT, Program } from "./program";
import { N_ALTERNATE, N_ANY, N_ANY_NOT_NL, N_ASSERT, N_CLASS, N_CONCAT, N_EMPTY, N_REPEAT, N_RUNE, Node } from "./syntax";

/**
 * Largest program accepted, in instructions: one per literal, class, `.` or assertion, one or two per `| * + ?`, a
 * copy of the repeated part per count of `{n,m}`, and the final match (so `a{999}` is the longest run of one literal).
 * Our counterpart of RE2's max_program_size; the counts are ours, not RE2's.
 */
export const MAX_PROGRAM_SIZE: i32 = 1000;
/** Sizes are summed with saturation so that `((a{1000}){1000}){1000}` is refused without being expanded. */
const SIZE_CAP: i64 = 1000000000;

/** Why `root` is refused (its program would be larger than MAX_PROGRAM_SIZE), or "" when it compiles. */
export function sizeError(root: Node): string {
  const size = sizeOf(root) + 1;
  if (size <= <i64>MAX_PROGRAM_SIZE) return "";
  const count = size >= SIZE_CAP ? "at least " + SIZE_CAP.toString() : size.toString();
  return "pattern too large: it compiles to " + count + " instructions, the limit is " + MAX_PROGRAM_SIZE.toString();
}

/** The program of `root` (which sizeError accepted), ending with MATCH. */
export function compile(root: Node): Program {
  const emitter = new Emitter();
  emitter.emit(root);
  emitter.add(OP_MATCH, 0, 0);
  return new Program(emitter.program, emitter.ranges);
}

/** Instructions the node compiles to (see Emitter), saturated at SIZE_CAP. */
function sizeOf(n: Node): i64 {
  switch (n.kind) {
    case N_EMPTY:
      return 0;
    case N_CONCAT:
    case N_ALTERNATE: {
      const subs = n.subs!;
      let total: i64 = n.kind == N_ALTERNATE ? 2 * <i64>(subs.length - 1) : 0;
      for (let i = 0; i < subs.length; i++) total = min(total + sizeOf(subs[i]), SIZE_CAP);
      return total;
    }
    case N_REPEAT: {
      const s = sizeOf(n.subs![0]);
      let total: i64;
      if (n.max == -1) total = n.min == 0 ? s + 2 : <i64>n.min * s + 1;
      else total = <i64>n.min * s + <i64>(n.max - n.min) * (s + 1);
      return min(total, SIZE_CAP);
    }
    default:
      return 1;
  }
}

/** Emits a syntax tree as a Thompson program. */
@final
class Emitter {
  program: Array<i32> = [];
  ranges: Array<i32> = [];

  get pc(): i32 {
    return this.program.length / 3;
  }

  add(op: i32, a: i32, b: i32): i32 {
    const pc = this.pc;
    this.program.push(op);
    this.program.push(a);
    this.program.push(b);
    return pc;
  }

  patch(pc: i32, field: i32, target: i32): void {
    this.program[pc * 3 + field] = target;
  }

  emit(n: Node): void {
    switch (n.kind) {
      case N_EMPTY:
        return;
      case N_RUNE:
        this.add(OP_RUNE, n.value, 0);
        return;
      case N_CLASS: {
        const r = n.ranges!;
        this.add(OP_CLASS, this.ranges.length, r.length / 2);
        for (let i = 0; i < r.length; i++) this.ranges.push(r[i]);
        return;
      }
      case N_ANY_NOT_NL:
        this.add(OP_ANY_NOT_NL, 0, 0);
        return;
      case N_ANY:
        this.add(OP_ANY, 0, 0);
        return;
      case N_ASSERT:
        this.add(OP_ASSERT, n.value, 0);
        return;
      case N_CONCAT: {
        const subs = n.subs!;
        for (let i = 0; i < subs.length; i++) this.emit(subs[i]);
        return;
      }
      case N_ALTERNATE: {
        // split L1, next; L1: a; jump end; next: split L2, next'; L2: b; jump end; ... last; end:
        const subs = n.subs!;
        const jumps = new Array<i32>();
        for (let i = 0; i < subs.length - 1; i++) {
          const split = this.add(OP_SPLIT, 0, 0);
          this.patch(split, 1, this.pc);
          this.emit(subs[i]);
          jumps.push(this.add(OP_JUMP, 0, 0));
          this.patch(split, 2, this.pc);
        }
        this.emit(subs[subs.length - 1]);
        for (let i = 0; i < jumps.length; i++) this.patch(jumps[i], 1, this.pc);
        return;
      }
      default:
        this.repeat(n.subs![0], n.min, n.max);
    }
  }

  private repeat(sub: Node, least: i32, most: i32): void {
    if (most == -1 && least == 0) {
      // loop: split body, end; body: x; jump loop; end:
      const loop = this.add(OP_SPLIT, 0, 0);
      this.patch(loop, 1, this.pc);
      this.emit(sub);
      this.add(OP_JUMP, loop, 0);
      this.patch(loop, 2, this.pc);
      return;
    }
    if (most == -1) {
      // x{n,} = x{n-1} then x+ (body: x; split body, end)
      for (let i = 0; i < least - 1; i++) this.emit(sub);
      const body = this.pc;
      this.emit(sub);
      this.add(OP_SPLIT, body, this.pc + 1);
      return;
    }
    for (let i = 0; i < least; i++) this.emit(sub);
    // x{0,k} = (x(x(x)?)?)?: every optional copy may end the repetition.
    const exits = new Array<i32>();
    for (let i = least; i < most; i++) {
      const split = this.add(OP_SPLIT, 0, 0);
      this.patch(split, 1, this.pc);
      exits.push(split);
      this.emit(sub);
    }
    for (let i = 0; i < exits.length; i++) this.patch(exits[i], 2, this.pc);
  }
}
