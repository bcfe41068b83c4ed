// Deterministic YAML text: the same input always gives the same bytes (the drift test compares them), long lines are
// never folded (the plugin configuration stays one JSON line), socket addresses are written on one line.
import { Document, isMap, isPair, isScalar, visit } from "yaml";

const OPTIONS = { lineWidth: 0, flowCollectionPadding: true, indentSeq: false } as const;
/** Maps under these keys are written in flow style: `{ address: 127.0.0.1, port_value: 26000 }`. */
const FLOW_KEYS = new Set(["socket_address", "local"]);

/** One or more YAML documents, with `header` as a comment on top (every line prefixed with "# "). */
export function toYaml(documents: readonly unknown[], header?: string): string {
  const texts = documents.map((value) => {
    const document = new Document(value);
    flowStyleUnder(document);
    return document.toString(OPTIONS);
  });
  return commentLines(header) + texts.join("---\n");
}

function flowStyleUnder(document: Document): void {
  visit(document, {
    Pair(_, pair) {
      if (isPair(pair) && isScalar(pair.key) && FLOW_KEYS.has(String(pair.key.value)) && isMap(pair.value)) {
        pair.value.flow = true;
      }
    },
  });
}

function commentLines(header: string | undefined): string {
  if (header === undefined || header.trim() === "") return "";
  return header
    .trimEnd()
    .split("\n")
    .map((line) => (line === "" ? "#" : `# ${line}`))
    .join("\n") + "\n";
}
