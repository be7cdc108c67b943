/**
 * A stand-in for AWS STS on loopback: answers GetCallerIdentity, the one call the synthesized output
 * makes at plan time (data.aws_caller_identity in the ses-account stack, for role policies). Terraform's
 * aws provider is pointed at it through `endpoints { sts }` in the test-only override file. It runs in a
 * child process: the terraform helper blocks this process (spawnSync) while terraform calls it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

export const TEST_ACCOUNT = "111111111111";

export interface StsStub {
  readonly url: string;
  /** GetCallerIdentity calls answered so far. */
  calls(): Promise<number>;
  close(): Promise<void>;
}

const SERVER = `
const http = require("node:http");
const account = process.argv[1];
let calls = 0;
const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (req.url === "/calls") return res.end(String(calls));
    if (!/Action=GetCallerIdentity/.test(body)) {
      res.writeHead(400, { "content-type": "text/xml" });
      return res.end("<ErrorResponse><Error><Code>InvalidAction</Code><Message>this stand-in answers GetCallerIdentity only</Message></Error></ErrorResponse>");
    }
    calls++;
    res.writeHead(200, { "content-type": "text/xml" });
    res.end('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
      "<Arn>arn:aws:iam::" + account + ":user/terraform-test</Arn><UserId>AIDATESTONLY0000000</UserId><Account>" + account + "</Account>" +
      "</GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"));
`;

export async function startStsStub(account = TEST_ACCOUNT): Promise<StsStub> {
  const child: ChildProcess = spawn(process.execPath, ["-e", SERVER, account], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  const url = `http://127.0.0.1:${Number(String(line).trim())}`;
  return {
    url,
    calls: async () => Number(await (await fetch(`${url}/calls`)).text()),
    close: async () => {
      child.kill();
      await once(child, "exit");
    },
  };
}
