// Runs a read-only pulumi command with --json for a stack and returns its parsed output.
import { spawn } from "node:child_process";
import { findProjectDir } from "../lib/config/stackConfig";
import { type PreviewJson, parsePreviewJson } from "../lib/review/previewJson";

export interface StackRef {
  stack: string;
  configFile?: string;
}

/** The stacks of `--stack S ...` with their `--config-file F ...`, paired in order. */
export function stackRefs(
  stacks: readonly string[],
  configFiles: readonly string[] = [],
): StackRef[] | { usage: string } {
  if (configFiles.length > stacks.length) {
    return {
      usage: `${configFiles.length} --config-file for ${stacks.length} --stack: give one --config-file per stack, in the same order`,
    };
  }
  return stacks.map((stack, i) => ({ stack, configFile: configFiles[i] }));
}

export class PulumiFailed extends Error {
  constructor(
    message: string,
    /** What the CLI said: the program's errors, or stderr. */
    readonly errors: string[],
  ) {
    super(message);
  }
}

/** `pulumi <args> --json` for the stack; throws PulumiFailed with the CLI's errors when it fails. */
export async function pulumiJson(args: readonly string[], ref: StackRef): Promise<PreviewJson> {
  const full = [...args, "--json", "--non-interactive", "--stack", ref.stack];
  if (ref.configFile) full.push("--config-file", ref.configFile);
  const child = spawn("pulumi", full, { cwd: findProjectDir(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  const code: number = await new Promise((resolve) => {
    // Not started (no pulumi on PATH): a failed check, said as such.
    child.on("error", (e) => {
      err += `cannot run pulumi: ${e.message}; put the pulumi CLI on PATH`;
      resolve(-1);
    });
    child.on("close", (c) => resolve(c ?? 1));
  });
  const what = `pulumi ${args.join(" ")} of stack ${ref.stack}`;
  if (code !== 0) {
    // The JSON, when there is one, has the program's errors as diagnostics.
    let errors: string[] = [];
    try {
      errors = parsePreviewJson(out, what)
        .diagnostics.filter((d) => d.severity === "error" && d.message)
        .map((d) => String(d.message).trim());
    } catch {
      // no JSON: stderr says it
    }
    const said = errors.length > 0 ? errors : [err.trim() || out.trim()];
    throw new PulumiFailed(`${what} failed (exit code ${code}):\n${said.join("\n")}`, said);
  }
  return parsePreviewJson(out, what);
}
