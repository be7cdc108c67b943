/**
 * XML bytes → text → small element trees, one per child of `<feedback>`, handed over as each closes so a
 * large report is never held as one tree. The parser is saxes (non-validating, no DTD processing); a
 * document with `<!DOCTYPE` or `<!ENTITY` is refused before it is parsed, as XXE and entity-expansion
 * attacks need one and DMARC reports never carry one.
 */
import { isUtf8 } from "node:buffer";
import { SaxesParser } from "saxes";
import { quoteSnippet, ReportError, type Warnings } from "./problems";

export interface XNode {
  /** Local name (prefix dropped), lowercase. */
  readonly name: string;
  readonly children: XNode[];
  text: string;
}

/** The root: its namespace (default or of its prefix) and whether it is `<feedback>`. */
export interface XmlRoot {
  readonly namespace?: string;
}

/** Elements nest five deep in a report; anything far deeper is hostile. */
const MAX_DEPTH = 32;

/** Bytes to text: BOM, the declared encoding, and UTF-8 that is not (replaced, with a warning). */
export function decodeXml(bytes: Uint8Array, warnings: Warnings): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder("utf-16le").decode(buf.subarray(2));
  if (buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder("utf-16be").decode(buf.subarray(2));
  const body = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
  const declared = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(body.subarray(0, 256).toString("latin1"))?.[1]?.toLowerCase();
  if (declared && !["utf-8", "utf8", "us-ascii", "ascii"].includes(declared)) {
    let decoded: string;
    try {
      decoded = new TextDecoder(declared).decode(body);
    } catch {
      throw new ReportError(`the XML declares encoding ${quoteSnippet(declared)}, which is not supported`);
    }
    return decoded;
  }
  if (isUtf8(body)) return body.toString("utf8");
  const at = firstInvalidUtf8(body);
  const text = body.toString("utf8");
  let replaced = 0;
  for (let i = text.indexOf("\ufffd"); i >= 0; i = text.indexOf("\ufffd", i + 1)) replaced++;
  warnings.add(
    "invalid-utf8",
    `${replaced} byte sequence${replaced === 1 ? "" : "s"} that ${replaced === 1 ? "is" : "are"} not UTF-8 (the first at byte ${at}, 0x${body[at].toString(16).padStart(2, "0")}) replaced with U+FFFD`,
  );
  return text;
}

function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n === 0) return i;
    for (let k = 1; k < n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    if (n > 1 && !isUtf8(b.subarray(i, i + n))) return i;
    i += n;
  }
  return 0;
}

const FEEDBACK_OPEN = /<(?:[A-Za-z_][\w.-]*:)?feedback(?=[\s>/])/i;
const FEEDBACK_CLOSE = /<\/(?:[A-Za-z_][\w.-]*:)?feedback\s*>/gi;
const FEEDBACK_CLOSE_AT = /^<\/(?:[A-Za-z_][\w.-]*:)?feedback\s*>/i;
/** How far from either end of a document stray markup is looked for. */
const MARKUP_WINDOW = 64 * 1024;

/**
 * Parse `text`, calling `onChild` with each complete child element of the root `<feedback>`. Markup a
 * reporter put around `<feedback>` (IKEA's unclosed `<xs:schema …>`) is dropped with a warning.
 */
export function walkFeedback(text: string, warnings: Warnings, onChild: (node: XNode) => void): XmlRoot {
  const hostile = /<!(DOCTYPE|ENTITY)/i.exec(text);
  if (hostile) {
    throw new ReportError(
      `refused: the XML has a <!${hostile[1].toUpperCase()} declaration, which DMARC reports never carry and XXE and entity-expansion attacks need`,
    );
  }
  const doc = stripStrayMarkup(text, warnings);
  const parser = new SaxesParser({ position: true });
  const stack: XNode[] = [];
  let root: { namespace?: string } | undefined;
  let rootClosed = false;
  parser.on("error", (e) => {
    throw new ReportError(`not well-formed XML (${xmlErrorText(e.message)})`);
  });
  parser.on("doctype", () => {
    throw new ReportError("refused: the XML has a <!DOCTYPE declaration");
  });
  parser.on("opentag", (tag) => {
    const colon = tag.name.indexOf(":");
    const name = (colon < 0 ? tag.name : tag.name.slice(colon + 1)).toLowerCase();
    if (!root) {
      if (name !== "feedback")
        throw new ReportError(`not a DMARC aggregate report: the root element is <${quoteSnippet(tag.name, 40).slice(1, -1)}>, not <feedback>`);
      const prefix = colon < 0 ? "" : tag.name.slice(0, colon);
      root = { namespace: (tag.attributes as Record<string, string>)[prefix ? `xmlns:${prefix}` : "xmlns"] };
      stack.push({ name, children: [], text: "" });
      return;
    }
    if (stack.length >= MAX_DEPTH) throw new ReportError(`refused: elements nest more than ${MAX_DEPTH} deep`);
    const node: XNode = { name, children: [], text: "" };
    if (stack.length > 1) stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on("text", (t) => {
    if (stack.length > 0) stack[stack.length - 1].text += t;
  });
  parser.on("cdata", (t) => {
    if (stack.length > 0) stack[stack.length - 1].text += t;
  });
  parser.on("closetag", () => {
    const node = stack.pop()!;
    if (node.children.length > 0 || stack.length === 0) {
      const stray = node.text.trim();
      if (stray) warnings.add("stray-text", `stray text ${quoteSnippet(stray, 20)} inside <${node.name}> ignored`);
    }
    if (stack.length === 0) rootClosed = true;
    else if (stack.length === 1) onChild(node);
  });
  parser.write(doc).close();
  if (!root || !rootClosed) throw new ReportError("not a DMARC aggregate report: no <feedback> element");
  return root;
}

function stripStrayMarkup(text: string, warnings: Warnings): string {
  // real prologs are a few hundred bytes: a <feedback> further in is left for the parser to judge
  const open = FEEDBACK_OPEN.exec(text.slice(0, MARKUP_WINDOW));
  if (!open) return text; // the parser names the root it finds instead
  let start = 0;
  let doc = text;
  const stray = text.slice(skipMisc(text, 0, open.index), open.index).trim();
  if (stray) {
    warnings.add("stray-markup", `stray markup before <feedback> ignored: ${quoteSnippet(stray, 60)}`);
    const declEnd = text.startsWith("<?xml") ? text.indexOf("?>") : -1;
    const decl = declEnd > 0 && declEnd < open.index ? text.slice(0, declEnd + 2) : "";
    doc = decl + text.slice(open.index);
    start = decl.length;
  }
  let end = -1;
  const lastClose = doc.lastIndexOf("</");
  const direct = lastClose >= start ? FEEDBACK_CLOSE_AT.exec(doc.slice(lastClose, lastClose + 80)) : null;
  if (direct) end = lastClose + direct[0].length;
  else {
    // something was closed after </feedback> (a wrapper's end tag): find the last </feedback> near the end
    const tailFrom = Math.max(start, doc.length - MARKUP_WINDOW);
    const tail = doc.slice(tailFrom);
    FEEDBACK_CLOSE.lastIndex = 0;
    for (let m = FEEDBACK_CLOSE.exec(tail); m; m = FEEDBACK_CLOSE.exec(tail)) end = tailFrom + m.index + m[0].length;
  }
  if (end >= 0) {
    const after = doc.slice(skipMisc(doc, end, doc.length)).trim();
    if (after) {
      warnings.add("stray-markup", `stray markup after </feedback> ignored: ${quoteSnippet(after, 60)}`);
      doc = doc.slice(0, end);
    }
  }
  return doc;
}

/**
 * Where what XML allows around the root ends: whitespace, processing instructions (the declaration),
 * comments. One pass with indexOf, so a hostile run of unclosed `<?` costs linear time, not quadratic.
 */
function skipMisc(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (text.startsWith("<?", i)) {
      const close = text.indexOf("?>", i + 2);
      if (close < 0 || close + 2 > to) return i;
      i = close + 2;
    } else if (text.startsWith("<!--", i)) {
      const close = text.indexOf("-->", i + 4);
      if (close < 0 || close + 3 > to) return i;
      i = close + 3;
    } else return i;
  }
  return to;
}

/** saxes says `3:10: disallowed character.`; readers want line and column named. */
function xmlErrorText(message: string): string {
  const m = /(\d+):(\d+): (.*)$/s.exec(message);
  return m ? `line ${m[1]}, column ${m[2]}: ${m[3].replace(/\.$/, "")}` : message;
}
