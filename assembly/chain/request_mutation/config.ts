// `request_mutation`: key/values set on every request (Dubbo attachments, THeader info headers).
import { FieldErrors, listField } from "../../lib/json_fields";
import { JsonValue } from "../../lib/json";
import { FactoryContext } from "../../core/factory_context";
import { Filter, FilterFactory } from "../../core/filter";
import { Mutation } from "../../core/mutation";
import { readMutation } from "../../core/mutation_config";
import { RequestMutation } from "./filter";

export class RequestMutationFactory extends FilterFactory {
  fields(): Array<string> {
    return ["request_mutation"];
  }

  create(config: JsonValue, context: FactoryContext, errors: FieldErrors): Filter | null {
    const mutation = new Mutation();
    readMutation(listField(config, "request_mutation", "", errors), "request_mutation", mutation, errors);
    return mutation.size == 0 ? null : new RequestMutation(mutation);
  }
}
