// as-pect: AssemblyScript unit tests of the framework and the codecs (no host needed: they use test sinks).
export default {
  entries: ["test/unit/**/*.spec.ts"],
  include: ["test/unit/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
