// Compiles every .sol under contracts/ (including test/) and writes
// artifacts/<Name>.json = { contractName, abi, bytecode, deployedBytecode }
// for every deployable contract (interfaces, libraries and abstract contracts are skipped).
// Usage: npm ci && node build.mjs
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import solc from "solc";
import { compileAll } from "./compile.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, "artifacts");

const { version, contracts } = compileAll(here, solc);
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
let n = 0;
for (const c of Object.values(contracts).sort((a, b) => a.contractName.localeCompare(b.contractName))) {
  if (c.kind !== "contract") continue;
  const artifact = {
    contractName: c.contractName,
    abi: c.abi,
    bytecode: c.bytecode,
    deployedBytecode: c.deployedBytecode,
  };
  fs.writeFileSync(path.join(outDir, `${c.contractName}.json`), JSON.stringify(artifact, null, 2) + "\n");
  console.log(`artifacts/${c.contractName}.json  (${c.sourceName}, ${(c.bytecode.length - 2) / 2} bytes)`);
  n++;
}
console.log(`solc ${version}: ${n} artifact(s) written`);
