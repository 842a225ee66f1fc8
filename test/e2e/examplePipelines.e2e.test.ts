// The example pipelines' steps, run as the pipelines run them: each step whose script runs pulumi
// or coex is run whole with bash (-e, as GitHub's and Azure DevOps' bash steps do), in the
// repository, with the pipeline's expressions replaced by this test's values (the stack, the apps'
// client ids, a file backend instead of Azure Blob storage, the deployer's certificate instead of
// a federated token). What each job does with the exit code (GITHUB_OUTPUT, ##vso[task.setvariable])
// is read back from what the step wrote. Posting comments and opening issues (gh, az boards, curl)
// is not run.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { commandLines, type PipelineFile, pipelineFiles, scriptSteps } from "../support/examplePipelines";
import { PulumiStack, REACH_BACK_SETTINGS, repoRoot, stackConfigFor } from "../support/pulumi";
import { sambaOrSkip } from "../support/samba";
import { type SmallWave, smallWave } from "../support/smallWave";
import { emulatedPair, emulatorAdmin, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

const coexHelp = spawnSync(process.execPath, [path.join(repoRoot, "dist/cli/coex.js"), "--help"], {
  encoding: "utf8",
}).stdout;
const driftHelp = spawnSync(process.execPath, [path.join(repoRoot, "dist/cli/coex.js"), "drift", "--help"], {
  encoding: "utf8",
}).stdout;
/** Why a step cannot run with this build of coex, if it cannot. */
function missingFeature(script: string): string | undefined {
  if (/coex\.js review/.test(script) && !/^\s+review\b/m.test(coexHelp)) {
    return "`coex review` is not in this build yet (issue 12, point 2)";
  }
  if (/coex\.js drift .*--format/.test(script) && !driftHelp.includes("--format")) {
    return "`coex drift --format` is not in this build yet (issue 12, point 1)";
  }
  return undefined;
}

/** The stack's configuration where the pipelines find it: stacks/Pulumi.<stack>.yaml, with the
 * secrets salt stack init wrote there. */
function publishConfig(stack: PulumiStack): string {
  const target = path.join(repoRoot, "stacks", `Pulumi.${stack.name}.yaml`);
  const initWritten = parse(readFileSync(target, "utf8")) ?? {};
  const written = parse(readFileSync(stack.configFile, "utf8"));
  writeFileSync(target, JSON.stringify({ ...initWritten, ...written }, null, 2));
  return target;
}

interface StepRun {
  code: number;
  output: string;
  /** GitHub: what the step appended to GITHUB_OUTPUT; Azure DevOps: ##vso[task.setvariable]. */
  outputs: Record<string, string>;
  /** GitHub: what the step appended to GITHUB_STEP_SUMMARY. */
  summary: string;
}

class PipelineRunner {
  private readonly dir: string;
  constructor(
    private readonly stack: PulumiStack,
    private readonly values: Record<string, string>,
  ) {
    this.dir = workDir(`pipeline-${stack.name}`);
  }

  /** Replaces `${{ … }}` (GitHub) and `$(…)` macros (Azure DevOps) by this test's values. */
  private substitute(script: string): string {
    const value = (name: string) => {
      const v = this.values[name];
      if (v === undefined) throw new Error(`no test value for ${name} in:\n${script}`);
      return v;
    };
    return script
      .replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => value(name))
      .replace(/\$\(([A-Za-z_][\w.]*)\)/g, (whole, name: string) =>
        // $(bash …) and $(cat …) are shell, not macros.
        /^[A-Z]/.test(name) ? value(name) : whole,
      );
  }

  /** Asynchronous: the emulator answers from this very process. */
  async run(script: string): Promise<StepRun> {
    const outputFile = path.join(this.dir, "github-output");
    const summaryFile = path.join(this.dir, "github-summary");
    writeFileSync(outputFile, "");
    writeFileSync(summaryFile, "");
    const r = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn("bash", ["-e", "-c", this.substitute(script)], {
        cwd: repoRoot,
        env: {
          ...this.stack.env,
          STACK: this.stack.name,
          GITHUB_OUTPUT: outputFile,
          GITHUB_STEP_SUMMARY: summaryFile,
        },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
    });
    const outputs: Record<string, string> = {};
    for (const line of readFileSync(outputFile, "utf8").split("\n")) {
      const at = line.indexOf("=");
      if (at > 0) outputs[line.slice(0, at)] = line.slice(at + 1);
    }
    for (const m of r.stdout.matchAll(/##vso\[task\.setvariable variable=(\w+)\](.*)/g)) outputs[m[1]] = m[2];
    return {
      code: r.status ?? -1,
      output: `${r.stdout}\n${r.stderr}`,
      outputs,
      summary: readFileSync(summaryFile, "utf8"),
    };
  }

  /** Runs the file's steps that run pulumi or coex, in order; skips the test at the first step
   * this build of coex cannot run, saying why. */
  async runSteps(p: PipelineFile, ctx: Mocha.Context): Promise<Map<string, StepRun>> {
    const runs = new Map<string, StepRun>();
    for (const step of scriptSteps(p)) {
      if (commandLines(step.script).length === 0) continue;
      const missing = missingFeature(step.script);
      if (missing) {
        console.log(`      skipped from step "${step.name}" of ${p.platform}/${p.name}: ${missing}`);
        ctx.skip();
      }
      runs.set(step.name, await this.run(step.script));
    }
    return runs;
  }
}

const stepOf = (runs: Map<string, StepRun>, name: string) => {
  const r = runs.get(name);
  assert.ok(r, `step ${name} ran`);
  return r;
};

describe("e2e: example pipelines' review and drift steps against an emulated stack", function () {
  this.timeout(600_000);
  let pair: TenantPairUnderTest;
  let stack: PulumiStack;
  let runner: PipelineRunner;
  const files = pipelineFiles();
  const file = (platform: string, name: string) => {
    const f = files.find((p) => p.platform === platform && p.name === name);
    assert.ok(f);
    return f;
  };

  before(async () => {
    pair = await emulatedPair();
    stack = new PulumiStack(`pipe${Date.now().toString(36)}`);
    await stack.init();
    stack.writeConfig(stackConfigFor(pair, REACH_BACK_SETTINGS));
    publishConfig(stack);
    await stack.expect(["up", "--yes"]);
    // The read-only apps are the deployer here: the emulator grants no per-app permission sets.
    const reader = {
      "vars.COEX_SOURCE_READER_CLIENT_ID": pair.connections.source.clientId,
      "vars.COEX_TARGET_READER_CLIENT_ID": pair.connections.target.clientId,
    };
    runner = new PipelineRunner(stack, {
      ...reader,
      COEX_SOURCE_READER_CLIENT_ID: pair.connections.source.clientId,
      COEX_TARGET_READER_CLIENT_ID: pair.connections.target.clientId,
    });
  });
  after(async () => {
    stack?.dispose();
    await pair?.close();
    for (const f of ["review.md", "drift.md"]) rmSync(path.join(repoRoot, f), { force: true });
  });

  for (const platform of ["github", "azure-devops"]) {
    it(`${platform}: the review job's steps write the review and pass its exit code on`, async function () {
      const runs = await runner.runSteps(file(platform, "coex-review"), this);
      const review = stepOf(runs, "Review");
      assert.equal(review.code, 0, review.output);
      const code = review.outputs.code ?? review.outputs.reviewCode;
      assert.equal(code, "0", review.output);
      const md = readFileSync(path.join(repoRoot, "review.md"), "utf8");
      assert.match(md, /CrossTenantAccessPartner|no changes/i, md);
    });

    it(`${platform}: the drift job's steps: code 0 without drift, 7 and a Markdown report with it`, async function () {
      const clean = stepOf(await runner.runSteps(file(platform, "coex-drift"), this), "Drift");
      assert.equal(clean.code, 0, clean.output);
      assert.equal(clean.outputs.code ?? clean.outputs.driftCode, "0", clean.output);
      const partner = `/crossTenantAccessPolicy/partners/${pair.connections.target.tenantId}`;
      await emulatorAdmin(pair, "source", "PATCH", partner, {
        inboundTrust: { ...REACH_BACK_SETTINGS.inboundTrust, isMfaAccepted: false },
      });
      try {
        const drift = stepOf(await runner.runSteps(file(platform, "coex-drift"), this), "Drift");
        assert.equal(
          drift.code,
          0,
          `the step itself succeeds; the next steps read the code:\n${drift.output}`,
        );
        assert.equal(drift.outputs.code ?? drift.outputs.driftCode, "7", drift.output);
        const md = readFileSync(path.join(repoRoot, "drift.md"), "utf8");
        assert.match(md, /isMfaAccepted/, md);
        assert.match(md, /\|/, "a Markdown table");
      } finally {
        await emulatorAdmin(pair, "source", "PATCH", partner, {
          inboundTrust: REACH_BACK_SETTINGS.inboundTrust,
        });
      }
    });
  }
});

describe("e2e: example pipelines' wave steps against an emulated wave", function () {
  this.timeout(900_000);
  let small: SmallWave;
  let runner: PipelineRunner;
  let agentTemp: string;

  before(async function () {
    const samba = sambaOrSkip(this);
    small = await smallWave(samba, "pipewave");
    publishConfig(small.wave);
    agentTemp = workDir("agent-temp");
    runner = new PipelineRunner(small.wave, { "Agent.TempDirectory": agentTemp });
  });
  after(async () => small?.close());

  it("github: up with the job's parallelism enables every user; the report goes to the job summary", async function () {
    const f = pipelineFiles().find((p) => p.platform === "github" && p.name === "coex-wave");
    assert.ok(f);
    const runs = await runner.runSteps(f, this);
    const up = stepOf(runs, "Up");
    assert.equal(up.code, 0, up.output);
    const report = stepOf(runs, "Report");
    assert.equal(report.code, 0, report.output);
    assert.match(report.summary, new RegExp(`${small.users.length} user\\(s\\)`));
    for (const u of small.users) assert.ok(report.summary.includes(u.upn), report.summary);
    assert.match(report.summary, /verified/);
  });

  it("azure-devops: the deployment job's up finds nothing left to do; the report is uploaded", async function () {
    const f = pipelineFiles().find((p) => p.platform === "azure-devops" && p.name === "coex-wave");
    assert.ok(f);
    const runs = await runner.runSteps(f, this);
    const up = stepOf(runs, "Up");
    assert.equal(up.code, 0, up.output);
    assert.doesNotMatch(up.output, /\+ \d+ to create|~ \d+ to update/);
    const report = stepOf(runs, "Report");
    assert.equal(report.code, 0, report.output);
    assert.match(report.output, /##vso\[task\.uploadsummary\]/);
    const md = readFileSync(path.join(agentTemp, "wave-report.md"), "utf8");
    for (const u of small.users) assert.ok(md.includes(u.upn), md);
  });
});
