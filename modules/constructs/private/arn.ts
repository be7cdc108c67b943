import { Fn } from "cdktf";

/** The account ID field of an ARN, as a Terraform expression: the account from a resource's own ARN, no lookup at plan time. */
export function accountIdOf(arn: string): string {
  return Fn.element(Fn.split(":", arn), 4) as string;
}
