// The example pipelines under examples/pipelines, parsed: their files, and the shell lines of
// their steps that run pulumi or coex (what test/e2e/examplePipelines.e2e.test.ts runs).
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { repoRoot } from "./pulumi";

export type Platform = "github" | "azure-devops";

export interface PipelineFile {
  platform: Platform;
  /** coex-review, coex-wave or coex-drift */
  name: string;
  file: string;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the YAML document as parsed
  doc: any;
}

export interface PipelineStep {
  name: string;
  /** The step's shell script (GitHub `run`, Azure DevOps `script` or AzureCLI@2 `inlineScript`). */
  script: string;
  // biome-ignore lint/suspicious/noExplicitAny: the step as parsed
  step: any;
}

export function pipelineFiles(): PipelineFile[] {
  const out: PipelineFile[] = [];
  for (const platform of ["github", "azure-devops"] as const) {
    const dir = path.join(repoRoot, "examples/pipelines", platform);
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith(".yml"))
      .sort()) {
      const file = path.join(dir, f);
      const text = readFileSync(file, "utf8");
      out.push({ platform, name: f.replace(/\.yml$/, ""), file, text, doc: parse(text) });
    }
  }
  return out;
}

/** Every step with a shell script, in order, wherever it is nested (jobs, deployment strategies). */
export function scriptSteps(p: PipelineFile): PipelineStep[] {
  const steps: PipelineStep[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (!node || typeof node !== "object") return;
    const o = node as Record<string, unknown>;
    const script = o.run ?? o.script ?? (o.inputs as Record<string, unknown> | undefined)?.inlineScript;
    if (typeof script === "string") {
      steps.push({ name: String(o.name ?? o.displayName ?? o.task ?? ""), script, step: o });
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(p.doc);
  return steps;
}

/** The lines that run pulumi or our CLI. */
export function commandLines(script: string): string[] {
  return script
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^(pulumi\s|node dist\/cli\/coex\.js\s)/.test(l));
}
