/**
 * Policies judged by an IAM evaluator (@cloud-copilot/iam-simulate), not by reading their JSON: may this
 * principal call ses:SendEmail / ses:SendRawEmail on this resource with this From address?
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";

export interface SendRequest {
  /** Policies attached to the principal (a role's inline policy, a user's policy). */
  readonly identityPolicies: readonly object[];
  /** The identity's sending-authorization policy, for cross-account requests. */
  readonly resourcePolicy?: object;
  readonly principal: string;
  /** `arn:aws:ses:<region>:<account>:identity/<domain>` or `…:configuration-set/<name>`. */
  readonly resource: string;
  readonly from: string;
  readonly action?: "ses:SendEmail" | "ses:SendRawEmail";
}

export async function sendDecision(request: SendRequest): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: request.identityPolicies.map((policy, i) => ({ name: `policy${i}`, policy: policy as never })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy as never } : {}),
      request: {
        action: request.action ?? "ses:SendEmail",
        principal: request.principal,
        resource: { accountId: request.resource.split(":")[4], resource: request.resource },
        contextVariables: { "ses:FromAddress": request.from },
      },
    },
    {},
  );
  if (result.resultType === "error") throw new Error(`the simulator refused the request: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}
