// The IDL of the Thrift peers used by the end-to-end tests (test/e2e/thrift.test.ts). Code is generated from it at
// test time into build/thrift-gen/ (test/peers/thrift/generate.ts); nothing generated is committed.
namespace py demo

enum Operation {
  ADD = 1,
  SUBTRACT = 2,
  MULTIPLY = 3,
  DIVIDE = 4,
}

/** A request struct: scalars, a list, a map, an optional binary. */
struct Work {
  1: required i32 id,
  2: required Operation op,
  3: required list<i64> operands,
  4: optional map<string, string> labels,
  5: optional binary blob,
}

/** A reply struct with a map and a list. */
struct Result {
  1: required i32 id,
  2: required i64 value,
  3: required map<string, i64> partials,
  4: required list<string> trace,
  5: optional double ratio,
}

exception InvalidOperation {
  1: i32 whatOp,
  2: string why,
}

service Calculator {
  /** Divide by zero (or an operation on no operand) throws the declared exception. */
  Result calculate(1: Work work) throws (1: InvalidOperation ouch),
  /** Fire and forget: no reply at all. */
  oneway void zip(1: string note),
  /** Answers `tag` after `ms` milliseconds, so that replies on one connection can overtake each other. */
  string slow(1: i32 ms, 2: string tag),
  /** Fails with an undeclared error: the server answers a TApplicationException (message type EXCEPTION). */
  void crash(1: string why),
}

/** A second service, served next to Calculator behind the multiplexed protocol. */
service Echo {
  string echo(1: string text),
  list<string> split(1: string text, 2: string separator),
}
