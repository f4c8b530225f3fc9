import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definitions } from "../crds/definitions.ts";
import { crdFileName, renderCrdYaml } from "../crds/generate.ts";

export async function runGenerateCrds(options: { out: string; check?: boolean }): Promise<void> {
  await mkdir(options.out, { recursive: true });
  const stale: string[] = [];
  for (const def of definitions) {
    const file = join(options.out, crdFileName(def));
    const content = renderCrdYaml(def);
    if (options.check) {
      const current = await readFile(file, "utf8").catch(() => "");
      if (current !== content) stale.push(file);
    } else {
      await writeFile(file, content);
      process.stdout.write(`wrote ${file}\n`);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(`out of date (run npm run generate): ${stale.join(", ")}\n`);
    process.exitCode = 1;
  }
}
