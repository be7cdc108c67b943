import { z } from "zod";
import { ConfigSchema } from "./schema";

/** The JSON Schema for editors, as committed in schema/ses-config.schema.json. */
export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(ConfigSchema, { io: "input", target: "draft-2020-12", reused: "ref" });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
