// Sets the configured key/values on every request.
import { Filter } from "../../core/filter";
import { Mutation } from "../../core/mutation";
import { FilterStatus, Request } from "../../core/request";

export class RequestMutation extends Filter {
  constructor(readonly mutation: Mutation) {
    super();
  }

  onRequest(request: Request): FilterStatus {
    request.addMutation(this.mutation);
    return FilterStatus.Continue;
  }
}
