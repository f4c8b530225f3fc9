import { ApiException } from "@kubernetes/client-node";
import { pino, type Logger } from "pino";
import { apiMessage } from "./kube.ts";

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
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: options.destination ?? 1, sync: false }),
  );
}

export type { Logger };

interface SerializedError {
  type: string;
  message: string;
  code?: number;
  stack?: string;
  cause?: SerializedError;
}

/**
 * Errors as log fields. An ApiException carries the whole response (body and headers) in its
 * message and stack; it is logged as its HTTP code and the API server's own message instead.
 */
export function serializeError(err: unknown, depth = 0): SerializedError | unknown {
  if (!(err instanceof Error)) return err;
  const cause = (err as { cause?: unknown }).cause;
  const out: SerializedError =
    err instanceof ApiException
      ? { type: "ApiException", code: err.code, message: apiMessage(err) }
      : { type: err.constructor.name, message: err.message, stack: err.stack };
  if (cause !== undefined && depth < 5)
    out.cause = serializeError(cause, depth + 1) as SerializedError;
  return out;
}
