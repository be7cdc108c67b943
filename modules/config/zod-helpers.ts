/** Small zod builders every schema file shares, so every field reports errors the same way. */
import { z } from "zod";

/** Adds a field-level rule that needs the value: `problem` returns what is wrong, or undefined. */
export function rule<T extends z.ZodType>(schema: T, problem: (value: z.output<T>) => string | undefined) {
  return schema.superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: "custom", message, input: value });
  });
}

/** A strict object whose unknown-key error lists the keys that are allowed. */
export function strict<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}; allowed: ${allowed}`
        : undefined,
  });
}

/** A whole number in [min, max]; every way of missing it gets the same message. */
export const integer = (min: number, max: number, message: string) =>
  z
    .number({ error: () => message })
    .int({ error: () => message })
    .min(min, { error: () => message })
    .max(max, { error: () => message });
