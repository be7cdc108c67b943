import { describe, expect, test } from "vitest";
import { dkimDomain, isSesRegion, mailFromMxHost, SES_REGIONS, type SesRegion } from "../../modules/model/regions";

// The table in ../shared/EMAIL-AUTH-FACTS.md (AWS General Reference, SES Easy DKIM domains): every row.
const DKIM_DOMAINS: Record<SesRegion, string> = {
  "af-south-1": "dkim.af-south-1.amazonses.com",
  "ap-northeast-1": "dkim.amazonses.com",
  "ap-northeast-2": "dkim.amazonses.com",
  "ap-northeast-3": "dkim.ap-northeast-3.amazonses.com",
  "ap-south-1": "dkim.amazonses.com",
  "ap-south-2": "dkim.ap-south-2.amazonses.com",
  "ap-southeast-1": "dkim.amazonses.com",
  "ap-southeast-2": "dkim.amazonses.com",
  "ap-southeast-3": "dkim.ap-southeast-3.amazonses.com",
  "ap-southeast-5": "dkim.ap-southeast-5.amazonses.com",
  "ca-central-1": "dkim.amazonses.com",
  "ca-west-1": "dkim.ca-west-1.amazonses.com",
  "eu-central-1": "dkim.amazonses.com",
  "eu-central-2": "dkim.eu-central-2.amazonses.com",
  "eu-north-1": "dkim.amazonses.com",
  "eu-south-1": "dkim.eu-south-1.amazonses.com",
  "eu-west-1": "dkim.amazonses.com",
  "eu-west-2": "dkim.amazonses.com",
  "eu-west-3": "dkim.amazonses.com",
  "il-central-1": "dkim.il-central-1.amazonses.com",
  "me-central-1": "dkim.me-central-1.amazonses.com",
  "me-south-1": "dkim.amazonses.com",
  "sa-east-1": "dkim.amazonses.com",
  "us-east-1": "dkim.amazonses.com",
  "us-east-2": "dkim.amazonses.com",
  "us-gov-east-1": "dkim.us-gov-east-1.amazonses.com",
  "us-gov-west-1": "dkim.amazonses.com",
  "us-west-1": "dkim.amazonses.com",
  "us-west-2": "dkim.amazonses.com",
};

describe("SES regions", () => {
  test("the DKIM table covers exactly the SES regions", () => {
    expect(Object.keys(DKIM_DOMAINS).sort()).toEqual([...SES_REGIONS].sort());
  });

  test.each(Object.entries(DKIM_DOMAINS))("Easy DKIM in %s points at %s", (region, domain) => {
    expect(dkimDomain(region as SesRegion)).toBe(domain);
  });

  test.each([...SES_REGIONS])("MAIL FROM MX in %s is feedback-smtp.<region>.amazonses.com", (region) => {
    expect(mailFromMxHost(region)).toBe(`feedback-smtp.${region}.amazonses.com`);
  });

  test.each(["us-east-3", "cn-north-1", "US-EAST-1", "", "eu-west"])("%j is not an SES region", (value) => {
    expect(isSesRegion(value)).toBe(false);
  });
});
