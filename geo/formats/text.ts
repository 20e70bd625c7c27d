// Text files from Chinese GIS tools come as UTF-8 (with or without BOM) or GBK. Decide by the bytes:
// a BOM, or valid UTF-8, or else GBK (read as GB18030, its superset). TextDecoder: Node and browsers.
export type TextEncodingName = 'utf-8' | 'gbk';

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
  bom: boolean;
}

export function decodeText(bytes: Uint8Array, hint?: TextEncodingName): DecodedText {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8', bom: true };
  }
  if (hint === 'gbk') return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gbk', bom: false };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8', bom: false };
  } catch {
    if (hint === 'utf-8') throw new Error('the file is not valid UTF-8');
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gbk', bom: false };
  }
}

/** Split into lines, tolerating CRLF, LF and lone CR. */
export const splitLines = (text: string): string[] => text.split(/\r\n|\n|\r/);
