import { Fn, TerraformOutput, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Sesv2EmailIdentityPolicy } from "@cdktf/provider-aws/lib/sesv2-email-identity-policy";
import type { Sesv2EmailIdentity } from "@cdktf/provider-aws/lib/sesv2-email-identity";
import { fillAccountId, identityPolicy, identityPolicyWord, senderPolicy, type SenderPlan } from "../model/operations";
import type { SesRegion } from "../model/regions";
import { accountIdOf } from "./private/arn";

export interface SenderProps {
  readonly plan: SenderPlan;
  /** The domain's identity per region (identity policies attach to them). */
  readonly identities: ReadonlyMap<SesRegion, Sesv2EmailIdentity>;
  /** @default - the stack's default provider for every region */
  readonly providerFor?: (region: SesRegion) => TerraformProvider | undefined;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
  /**
   * The AWS account ID, as a Terraform expression, for the ARNs in the policies.
   * @default - read from the first identity's ARN
   */
  readonly accountId?: string;
  /**
   * Attach the policy to the sender's `role` here, as an inline policy for this domain only.
   * @default false - the app attaches one policy per role, covering every domain, in the ses-account stack
   */
  readonly attachToRole?: boolean;
}

/** The name of the inline policy this project writes on roles and SMTP users. */
export const SEND_POLICY_NAME = "ses-domains-send";

/**
 * One sender of a domain. A role's policy lives in the account stack (one per role, covering every
 * domain); here: an SMTP user with that policy and its credentials in Secrets Manager, identity policies
 * for another account, or — with neither — the policy as an output for the user to attach.
 */
export class Sender extends Construct {
  constructor(scope: Construct, id: string, props: SenderProps) {
    super(scope, id);
    const { plan, identities, tags } = props;
    const [firstRegion] = [...identities.keys()];
    // The account comes from the identity's own ARN: no caller-identity lookup at plan time.
    const accountId = props.accountId ?? accountIdOf(identities.get(firstRegion)!.arn);
    const policy = fillAccountId(senderPolicy(plan), accountId);

    if (plan.account !== undefined) {
      const multiRegion = identities.size > 1;
      for (const [region, identity] of identities) {
        new Sesv2EmailIdentityPolicy(this, identityPolicyWord(region, multiRegion), {
          provider: props.providerFor?.(region),
          emailIdentity: identity.emailIdentity,
          policyName: `ses-domains-${plan.name}`,
          policy: fillAccountId(identityPolicy(plan, region), accountId),
        });
      }
    }

    if (plan.smtp) {
      const smtp = plan.smtp;
      const provider = props.providerFor?.(smtp.region);
      const user = new IamUser(this, "smtp_user", { name: smtp.userName, tags });
      new IamUserPolicy(this, "smtp_policy", { user: user.name, name: SEND_POLICY_NAME, policy });
      // ses_smtp_password_v4 is derived for the provider's region: the key is made where SMTP is used.
      const key = new IamAccessKey(this, "smtp_key", { provider, user: user.name });
      const secret = new SecretsmanagerSecret(this, "smtp_secret", {
        provider,
        name: smtp.secretName,
        description: `SES SMTP credentials of sender ${plan.name} for ${plan.domain} (${smtp.region}); may send as ${plan.from.join(", ")}`,
        tags,
      });
      new SecretsmanagerSecretVersion(this, "smtp_credentials", {
        provider,
        secretId: secret.id,
        secretString: Fn.jsonencode({ username: key.id, password: key.sesSmtpPasswordV4, host: smtp.host, port: smtp.port }),
      });
    }

    if (plan.role !== undefined && props.attachToRole) {
      new IamRolePolicy(this, "role_policy", { role: plan.role, name: `ses-domains-send-${plan.domain}-${plan.name}`, policy });
    }

    if (plan.role === undefined && plan.account === undefined && !plan.smtp) {
      new TerraformOutput(this, "policy", {
        description: `IAM policy for sender ${plan.name} of ${plan.domain}: may send as ${plan.from.join(", ")}. Attach it to the principal that sends.`,
        value: policy,
      });
    }
  }
}
