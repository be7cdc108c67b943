import { TerraformResource } from "cdktf";
import type { Construct } from "constructs";

/**
 * Terraform `import` blocks (cdktf's importFrom) for the resources under `scope` whose address is in
 * `imports` (address → import id, from model/adoption.ts), each through the resource's own provider so
 * an identity in another region is read there. Returns the addresses given an import block: the caller
 * checks that none was missed, so the record model's addresses and the constructs' cannot drift apart.
 */
export function importExisting(scope: Construct, imports: ReadonlyMap<string, string>): Set<string> {
  const done = new Set<string>();
  if (imports.size === 0) return done;
  for (const node of scope.node.findAll()) {
    if (!(node instanceof TerraformResource)) continue;
    const address = `${node.terraformResourceType}.${node.friendlyUniqueId}`;
    const id = imports.get(address);
    if (id === undefined) continue;
    node.importFrom(id, node.provider);
    done.add(address);
  }
  return done;
}
