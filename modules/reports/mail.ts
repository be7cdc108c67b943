/**
 * Whole report mail (as mail clients save it, and as SES's S3 receipt action stores it) through the kept
 * MIME parser, postal-mime: its attachments, and a body that is itself a report.
 */
import PostalMime = require("postal-mime");
import type { MailParts } from "./container";

const XML_BODY = /^\s*(<\?xml|<([A-Za-z_][\w.-]*:)?feedback[\s>])/;

export const mailParts: MailParts = async (mail) => {
  const email = await PostalMime.parse(mail, {
    // a forwarded report (message/rfc822) comes back as bytes, and unwrap's nesting limit applies to it
    forceRfc822Attachments: true,
    maxNestingDepth: 16,
    attachmentEncoding: "arraybuffer",
  });
  const parts = email.attachments.map((a) => ({ mimeType: a.mimeType, content: toBytes(a.content) }));
  // some reporters send the XML as the message body rather than as an attachment
  if (email.text && XML_BODY.test(email.text)) parts.push({ mimeType: "text/plain", content: Buffer.from(email.text, "utf8") });
  return { parts };
};

function toBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === "string") return Buffer.from(content, "utf8");
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}
