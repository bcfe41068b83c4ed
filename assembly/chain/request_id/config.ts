// The request id filter's configuration: `request_id: {"generate": true}` gives requests without an `x-request-id`
// one; off by default.
import { boolField, checkObject, FieldErrors } from "../../lib/json_fields";
import { JsonValue } from "../../lib/json";
import { FactoryContext } from "../../core/factory_context";
import { Filter, FilterFactory } from "../../core/filter";
import { RequestId } from "./filter";

export class RequestIdFactory extends FilterFactory {
  fields(): Array<string> {
    return ["request_id"];
  }

  create(config: JsonValue, context: FactoryContext, errors: FieldErrors): Filter | null {
    const v = config.get("request_id");
    if (v === null || !checkObject(v, "request_id", ["generate"], errors)) return null;
    return boolField(v, "generate", "request_id", errors, false) ? new RequestId() : null;
  }
}
