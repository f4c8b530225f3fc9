import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { appendFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { REPO_ROOT } from "../../../src/local-plane/tools.ts";
import { eventually } from "./eventually.ts";

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface OperatorProcessOptions {
  /** Name of the leader Lease, so concurrent suites never share one. */
  leaseName: string;
  /** Kubeconfig to run with; the suite's operator identity by default. */
  kubeconfig?: string;
  extraArgs?: string[];
}

/**
 * The real `cloudops operator` CLI as a child process, with its JSON log lines captured for
 * assertions (and for scanning for secrets).
 */
export class OperatorProcess {
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];
  private child: ChildProcess | undefined;
  private exitPromise: Promise<number | null> | undefined;
  private readonly options: OperatorProcessOptions;
  /** Every line the process printed, kept for reading after a failed run. */
  readonly logFile: string;

  constructor(options: OperatorProcessOptions) {
    this.options = options;
    const dir = join(tmpdir(), "cloudops-e2e-logs");
    mkdirSync(dir, { recursive: true });
    this.logFile = join(dir, `${options.leaseName}-${Date.now()}.log`);
  }

  start(): void {
    const args = [
      join(REPO_ROOT, "src", "cli.ts"),
      "operator",
      "--kubeconfig",
      this.options.kubeconfig ?? inject("operatorKubeconfig"),
      "--probe-host",
      "127.0.0.1",
      "--probe-port",
      "0",
      "--leader-election-id",
      this.options.leaseName,
      "--lease-duration",
      "4s",
      "--renew-deadline",
      "3s",
      "--retry-period",
      "500ms",
      "--log-level",
      "debug",
      ...(this.options.extraArgs ?? []),
    ];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.exitPromise = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => this.capture(line));
    }
  }

  private capture(line: string): void {
    this.raw.push(line);
    appendFileSync(this.logFile, line + "\n");
    try {
      this.lines.push(JSON.parse(line) as LogLine);
    } catch {
      this.lines.push({ level: "raw", msg: line });
    }
  }

  /** Log lines with this message, optionally filtered by fields. */
  logs(msg: string, fields: Record<string, unknown> = {}): LogLine[] {
    return this.lines.filter(
      (l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v),
    );
  }

  async waitForLog(
    msg: string,
    fields: Record<string, unknown> = {},
    timeoutMs = 30_000,
  ): Promise<LogLine> {
    return eventually(
      () => {
        const found = this.logs(msg, fields)[0];
        if (!found)
          throw new Error(`no log line "${msg}" yet; last: ${this.raw.slice(-5).join("\n")}`);
        return found;
      },
      { timeoutMs },
    );
  }

  /** Sends a signal and waits for the process to exit; SIGTERM is a graceful stop. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill(signal);
    return this.exitPromise as Promise<number | null>;
  }
}
