// Sets the configured key/values on every request (`request_mutation` in the plugin configuration).
import { Filter, FilterStatus, RequestContext } from "../../core/filter";
import { Mutation } from "../../core/mutation";

export class RequestMutation extends Filter {
  constructor(private readonly mutation: Mutation) {
    super();
  }

  onRequest(context: RequestContext): FilterStatus {
    context.mutations.push(this.mutation);
    return FilterStatus.Continue;
  }
}
