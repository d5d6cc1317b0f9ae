// Compiles every .sol file under a directory with solc-js (standard JSON).
// Shared by contracts/build.mjs and tests/eth (which pass in their own `solc` module).
import fs from "node:fs";
import path from "node:path";

export const EVM_VERSION = "prague";
export const OPTIMIZER_RUNS = 200;

/** All .sol files under `dir` (recursively, skipping node_modules and artifacts), as sorted
 * paths relative to `dir` with forward slashes. */
export function solidityFiles(dir) {
  const out = [];
  const walk = (rel) => {
    for (const ent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      if (ent.name === "node_modules" || ent.name === "artifacts" || ent.name.startsWith(".")) continue;
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(r);
      else if (ent.isFile() && ent.name.endsWith(".sol")) out.push(r);
    }
  };
  walk("");
  return out.sort();
}

/** The Solidity interfaces the service modules publish (`crates/modules/<name>/contracts/*.sol`,
 * beside `dir` = the repository's `contracts/`), as `[sourceName, path]` pairs with source names
 * `modules/<name>/<file>.sol`: what contracts here import, e.g.
 * `import "../modules/crosschain/IHechainCrosschain.sol";` from `test/`. */
export function moduleInterfaces(dir) {
  const root = path.join(dir, "..", "crates", "modules");
  if (!fs.existsSync(root)) return [];
  const out = [];
  for (const m of fs.readdirSync(root).sort()) {
    const cdir = path.join(root, m, "contracts");
    if (!fs.existsSync(cdir)) continue;
    for (const f of solidityFiles(cdir)) out.push([`modules/${m}/${f}`, path.join(cdir, f)]);
  }
  return out;
}

/**
 * Compiles the .sol files under `dir` with the given solc-js module, with the service modules'
 * interfaces ([`moduleInterfaces`]) as importable sources.
 * Returns `{ version, contracts }`, where `contracts` maps a contract name to
 * `{ contractName, sourceName, kind, abi, bytecode, deployedBytecode }` (kind: "contract",
 * "interface", "library" or "abstract"). Throws on any compiler error.
 */
export function compileAll(dir, solc) {
  const files = solidityFiles(dir);
  const sources = {};
  for (const f of files) sources[f] = { content: fs.readFileSync(path.join(dir, f), "utf8") };
  for (const [name, file] of moduleInterfaces(dir)) sources[name] = { content: fs.readFileSync(file, "utf8") };
  const input = {
    language: "Solidity",
    sources,
    settings: {
      optimizer: { enabled: true, runs: OPTIMIZER_RUNS },
      evmVersion: EVM_VERSION,
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"], "": ["ast"] } },
    },
  };
  const findImports = (p) => {
    const full = path.resolve(dir, p);
    if (!full.startsWith(path.resolve(dir) + path.sep)) return { error: `import outside ${dir}: ${p}` };
    try {
      return { contents: fs.readFileSync(full, "utf8") };
    } catch (e) {
      return { error: `cannot read ${p}: ${e.message}` };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) {
    throw new Error("solc failed:\n" + errors.map((e) => e.formattedMessage ?? e.message).join("\n"));
  }
  for (const w of output.errors ?? []) {
    if (w.severity !== "error" && w.type !== "Info") process.stderr.write(w.formattedMessage ?? w.message);
  }
  // Contract kinds from the AST (interface / library / abstract / contract).
  const kinds = {};
  for (const [src, s] of Object.entries(output.sources ?? {})) {
    for (const node of s.ast?.nodes ?? []) {
      if (node.nodeType === "ContractDefinition") {
        kinds[`${src}:${node.name}`] = node.abstract ? "abstract" : node.contractKind;
      }
    }
  }
  const contracts = {};
  for (const [src, byName] of Object.entries(output.contracts ?? {})) {
    for (const [name, c] of Object.entries(byName)) {
      if (contracts[name]) throw new Error(`duplicate contract name ${name} (${contracts[name].sourceName}, ${src})`);
      contracts[name] = {
        contractName: name,
        sourceName: src,
        kind: kinds[`${src}:${name}`] ?? "contract",
        abi: c.abi,
        bytecode: "0x" + (c.evm?.bytecode?.object ?? ""),
        deployedBytecode: "0x" + (c.evm?.deployedBytecode?.object ?? ""),
      };
    }
  }
  return { version: solc.version(), contracts };
}
