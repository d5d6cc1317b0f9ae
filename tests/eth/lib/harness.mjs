// Shared helpers of the Ethereum-tooling tests: the process, port and chain helpers of
// tests/lib/chain.mjs, and the contracts compiled with solc-js.
import path from "node:path";
import solc from "solc";
import { compileAll } from "../../../contracts/compile.mjs";
import { REPO } from "../../lib/chain.mjs";

export * from "../../lib/chain.mjs";

export const CONTRACTS_DIR = path.join(REPO, "contracts");

let compiled;
/** Compiles contracts/**\/*.sol afresh (once per test process); returns name -> {abi, bytecode, ...}. */
export function contracts() {
  if (!compiled) compiled = compileAll(CONTRACTS_DIR, solc).contracts;
  return compiled;
}

