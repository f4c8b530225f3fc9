import { pino, type Logger } from "pino";

/**
 * Paths pino censors wherever they appear in a log object. The project ID and anything a
 * runner reports as sensitive must never reach a log line; redaction is the safety net behind
 * not logging them in the first place.
 */
export const REDACTED_PATHS = [
  "projectId",
  "*.projectId",
  "*.*.projectId",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "*.*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
];

export interface LoggerOptions {
  level?: string;
  /** Write to this file descriptor instead of stdout (tests capture logs this way). */
  destination?: number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      base: { service: "cloudops" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: options.destination ?? 1, sync: false }),
  );
}

export type { Logger };
