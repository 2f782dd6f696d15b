/**
 * The text inside a file content part (`{type: 'file', file: {file_data, filename}}` of chat
 * completions, `{type: 'input_file', file_data}` of the Responses API): `file_data` is a data URL
 * (`data:text/plain;base64,...`), bare base64, or (some clients) the text itself. The gateway can
 * only check text: a binary file (a PDF, an image) or a bare `file_id` is unreadable.
 */

export type FileText = { text: string; mime: string } | { unreadable: string };

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decode a file part's data to text, or say why it cannot be read. */
export function fileText(file: { file_data?: unknown; file_id?: unknown; filename?: unknown }): FileText {
  const data = file.file_data;
  if (typeof data !== 'string' || data === '') {
    return { unreadable: typeof file.file_id === 'string' ? `it refers to an uploaded file (${file.file_id}) whose content the gateway cannot see` : 'it has no file_data' };
  }
  let bytes: Buffer;
  let mime = 'text/plain';
  const m = /^data:([^,;]*)((?:;[^,;]*)*),/.exec(data);
  if (m) {
    mime = m[1] || 'text/plain';
    const payload = data.slice(m[0].length);
    if (m[2]!.split(';').includes('base64')) bytes = Buffer.from(payload, 'base64');
    else {
      try {
        return textOf(Buffer.from(decodeURIComponent(payload), 'utf8'), mime);
      } catch {
        return { unreadable: 'its data URL is not valid percent-encoding' };
      }
    }
  } else {
    const compact = data.replace(/\r?\n/g, '');
    // Bare base64 (what OpenAI documents; lines may be wrapped); anything else is the text itself.
    if (compact.length >= 4 && compact.length % 4 !== 1 && BASE64.test(compact)) bytes = Buffer.from(compact, 'base64');
    else return { text: data, mime };
  }
  return textOf(bytes, mime);
}

function textOf(bytes: Buffer, mime: string): FileText {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return { unreadable: 'it is a PDF (the gateway reads text files only)' };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { unreadable: `it is not UTF-8 text (${mime})` };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return { unreadable: `it is binary (${mime})` };
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) control++;
  }
  if (control > text.length / 10) return { unreadable: `it is binary (${mime})` };
  return { text, mime };
}

/** A file's data after its text was rewritten (redaction): a base64 data URL of the same type. */
export function fileData(text: string, mime: string): string {
  return `data:${mime};base64,${Buffer.from(text, 'utf8').toString('base64')}`;
}
