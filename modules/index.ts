/** Public surface for library users: config → record model → constructs → stacks. */
export { ConfigError, formatPath, type ConfigIssue } from "./errors";
export * from "./config/schema";
export { AccountSchema, SenderSchema, operationsFields, defaultsOperationsFields, SNS_TOPIC_ARN } from "./config/operations-schema";
export {
  resolveConfig,
  resolveProject,
  stackFor,
  bucketStacks,
  DEFAULT_STACK,
  DEFAULT_TTL,
  DEFAULT_MAIL_FROM,
  DEFAULT_KEY_LENGTH,
  type ResolvedProject,
} from "./config/resolve";
export { configPath, loadConfig, CONFIG_ENV, EXAMPLE_CONFIG, type LoadedConfig } from "./config/load";
export * from "./model/types";
export * from "./model/records";
export {
  SES_REGIONS,
  RECEIVING_REGIONS,
  dkimDomain,
  mailFromMxHost,
  inboundSmtpHost,
  isSesRegion,
  type SesRegion,
  type ReceivingRegion,
} from "./model/regions";
export { RECEIPT_RULE_SET, bucketPolicy, collectPlans, collections, type CollectRegionPlan, type CollectRule } from "./model/collect";
export { dmarcRecord, parseDmarc, reportUri, reportHost, reportAuthorizationName, DMARC_TAGS, type DmarcParse } from "./model/dmarc";
export {
  apexSpfRecord,
  mailFromSpfRecord,
  parseSpf,
  checkSpf,
  isSpfRecord,
  SPF_LOOKUP_LIMIT,
  type SpfTerm,
  type SpfMechanism,
  type SpfModifier,
  type SpfCheck,
  type SpfParse,
  type SpfQualifier,
  type SpfMechanismName,
} from "./model/spf";
export { route53TxtValue, TXT_STRING_MAX } from "./model/txt";
export { dkimKeyRecord, dkimPublicKeyProblem, normalizeDkimPublicKey } from "./model/dkim-key";
export { plannedResources, accountResources, addressIndex, emailWord, RESOURCE_TYPES, type PlannedResource, type ResourceRole } from "./model/addresses";
export * from "./model/operations";
export { planAccount, ROLE_INLINE_POLICY_MAX, ROLE_POLICY_NAME, type AccountPlan, type AccountRegionPlan, type RolePolicyPlan } from "./model/account";
export { ConfigurationSet, type ConfigurationSetProps } from "./constructs/configuration-set";
export { Sender, type SenderProps, SEND_POLICY_NAME } from "./constructs/sender";
export { SesAccountRegion, type SesAccountRegionProps } from "./constructs/ses-account";
export { SesAccountStack, type SesAccountStackProps } from "./stacks/ses-account-stack";
export { SesDomain, type SesDomainProps } from "./constructs/ses-domain";
export { SesDomainResources, type SesDomainResourcesProps, type SesDomainRecord, privateKeyBody } from "./constructs/ses-domain-resources";
export { DmarcCollection, type DmarcCollectionProps } from "./constructs/dmarc-collection";
export { SesDomainsStack, type SesDomainsStackProps, type StackBackend, dnsProviderAlias, DEFAULT_PROVIDER_REGION } from "./stacks/ses-domains-stack";
export { ReadableStack, awsProviders } from "./stacks/private/readable-stack";
export { synthesize, billed, STACK_NAME, type SynthOptions, type SynthResult } from "./app";
export {
  adoptableResources,
  adoptionImports,
  recordImportId,
  ADOPTION_FILE,
  ADOPTION_VERSION,
  type AdoptionFile,
  type AdoptionSource,
  type AdoptedResource,
  type DomainAdoption,
  type AdoptionImports,
  type AdoptionEvidence,
  type AdoptionContext,
  type AdoptableResource,
} from "./model/adoption";
export { readAdoption, parseAdoption, adoptionPath, adoptionFileText, ADOPTION_ENV } from "./adopt/file";
