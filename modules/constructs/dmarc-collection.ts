import { TerraformOutput, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { SesActiveReceiptRuleSet } from "@cdktf/provider-aws/lib/ses-active-receipt-rule-set";
import { SesReceiptRule } from "@cdktf/provider-aws/lib/ses-receipt-rule";
import { SesReceiptRuleSet } from "@cdktf/provider-aws/lib/ses-receipt-rule-set";
import { bucketPolicy, bucketWord, type CollectRegionPlan } from "../model/collect";
import { regionWord, type SesRegion } from "../model/regions";

export interface DmarcCollectionProps {
  readonly plans: readonly CollectRegionPlan[];
  /** The account ID as a Terraform expression (SourceAccount / SourceArn conditions). */
  readonly accountId: string;
  /** @default - the stack's default provider for every region */
  readonly providerFor?: (region: SesRegion) => TerraformProvider | undefined;
}

/**
 * SES receiving for DMARC aggregate reports: per receiving region, a receipt rule set made active (SES
 * has one active set per region) with a rule per reports address that stores each mail in S3; per
 * bucket, the bucket (private) and the policy that lets only SES write, for this account and these rules
 * (SourceAccount + SourceArn). SES checks it can write when a rule is created, so rules wait for the
 * policy. A bucket managed elsewhere (`existingBucket`) gets its statement as an output instead.
 */
export class DmarcCollection extends Construct {
  constructor(scope: Construct, id: string, props: DmarcCollectionProps) {
    super(scope, id);
    const policies = new Map<string, S3BucketPolicy>();
    const rules = props.plans.flatMap((p) => p.rules.map((rule) => ({ ...rule, region: p.region, ruleSetName: p.ruleSetName })));
    for (const bucket of [...new Set(rules.map((r) => r.bucket))].sort()) {
      const using = rules.filter((r) => r.bucket === bucket);
      const word = bucketWord(bucket);
      const policy = bucketPolicy(bucket, using, props.accountId);
      if (using[0].existingBucket) {
        new TerraformOutput(this, `${word}_policy`, {
          description: `Bucket policy statement(s) that let SES store DMARC reports in ${bucket}: merge them into that bucket's policy.`,
          value: policy,
        });
        continue;
      }
      const provider = props.providerFor?.(using[0].region);
      const resource = new S3Bucket(this, word, { provider, bucket });
      new S3BucketPublicAccessBlock(this, `${word}_public_access_block`, {
        provider,
        bucket: resource.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      policies.set(bucket, new S3BucketPolicy(this, `${word}_policy`, { provider, bucket: resource.id, policy }));
    }
    for (const plan of props.plans) {
      const provider = props.providerFor?.(plan.region);
      const region = regionWord(plan.region);
      const ruleSet = new SesReceiptRuleSet(this, `${region}_rule_set`, { provider, ruleSetName: plan.ruleSetName });
      new SesActiveReceiptRuleSet(this, `${region}_active_rule_set`, { provider, ruleSetName: ruleSet.ruleSetName });
      for (const rule of plan.rules) {
        const policy = policies.get(rule.bucket);
        new SesReceiptRule(this, `${region}_${rule.id}`, {
          provider,
          name: rule.name,
          ruleSetName: ruleSet.ruleSetName,
          recipients: [rule.address],
          enabled: true,
          scanEnabled: true,
          s3Action: [{ bucketName: rule.bucket, objectKeyPrefix: rule.prefix, position: 1 }],
          dependsOn: policy ? [policy] : undefined,
        });
      }
    }
  }
}
