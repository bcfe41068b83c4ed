// A plugin's filters, in order: requests go through them first to last until one rejects or pauses, responses last
// to first.
import { AsyncAnswer } from "./async_answer";
import { Filter } from "./filter";
import { KeyUsage } from "./key_usage";
import { FilterStatus, Request } from "./request";
import { Response } from "./response";

@final
export class FilterChain {
  private filters: Array<Filter> = [];

  add(filter: Filter): void {
    filter.position = this.filters.length;
    this.filters.push(filter);
  }

  get size(): i32 {
    return this.filters.length;
  }

  at(position: i32): Filter {
    return this.filters[position];
  }

  declareKeys(usage: KeyUsage): void {
    for (let i = 0; i < this.filters.length; i++) this.filters[i].declareKeys(usage);
  }

  /** Runs the filters in order; on Pause, `request.pausedFilter` says which filter paused it. */
  onRequest(request: Request): FilterStatus {
    return this.runFrom(0, request);
  }

  /** Hands the answer to the filter that paused `request`, then runs the filters after it. */
  onResume(request: Request, answer: AsyncAnswer): FilterStatus {
    const at = request.pausedFilter;
    request.pausedFilter = -1;
    if (at < 0 || at >= this.filters.length) return FilterStatus.Continue;
    const status = unchecked(this.filters[at]).onResume(request, answer);
    return status == FilterStatus.Continue ? this.runFrom(at + 1, request) : this.stoppedAt(at, status, request);
  }

  onResponse(response: Response): void {
    for (let i = this.filters.length - 1; i >= 0; i--) unchecked(this.filters[i]).onResponse(response);
  }

  private runFrom(first: i32, request: Request): FilterStatus {
    for (let i = first, n = this.filters.length; i < n; i++) {
      const status = unchecked(this.filters[i]).onRequest(request);
      if (status != FilterStatus.Continue) return this.stoppedAt(i, status, request);
    }
    return FilterStatus.Continue;
  }

  private stoppedAt(position: i32, status: FilterStatus, request: Request): FilterStatus {
    if (status == FilterStatus.Pause) request.pausedFilter = position;
    return status;
  }
}
