// The answer to an asynchronous call a filter paused a request for (a gRPC call today), as the filter's `onResume`
// receives it. The bytes are the host's and valid only during that call.

@final
export class AsyncAnswer {
  /** The call completed with a message. */
  ok: bool = false;
  /** The gRPC status when it did not (a timeout arrives as UNAVAILABLE, 14). */
  status: u32 = 0;
  ptr: usize = 0;
  length: i32 = 0;

  set(ok: bool, status: u32, ptr: usize, length: i32): AsyncAnswer {
    this.ok = ok;
    this.status = status;
    this.ptr = ptr;
    this.length = length;
    return this;
  }
}
