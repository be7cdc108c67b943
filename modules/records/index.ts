/** The records room: what DNS the config needs, per zone, and its formats. */
export { listRecords, recordsByZone, zoneOf, type DomainRecords, type RecordRow } from "./records";
export { recordPurpose } from "./purpose";
export { formatBind, bindFragment, txtCharacterStrings } from "./bind";
export { formatCsv } from "./csv";
export { formatJson, recordsJson, type RecordJson } from "./json";
export { formatMarkdown } from "./markdown";
