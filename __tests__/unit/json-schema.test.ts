import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { configJsonSchemaText } from "../../modules/config/json-schema";

const COMMITTED = resolve(__dirname, "..", "..", "schema", "ses-config.schema.json");

describe("JSON Schema for editors", () => {
  test("the committed schema is what the zod schema generates (run npm run schema if not)", () => {
    expect(readFileSync(COMMITTED, "utf8")).toBe(configJsonSchemaText());
  });

  test("describes the public config names", () => {
    const schema = JSON.parse(configJsonSchemaText());
    expect(Object.keys(schema.properties)).toEqual(["$schema", "defaults", "stacks", "backend", "account", "domains"]);
    expect(schema.required).toEqual(["domains"]);
    expect(schema.additionalProperties).toBe(false);
  });
});
