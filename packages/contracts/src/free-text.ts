import { z } from 'zod';

/**
 * Text that people write and other people read (reasons, names, versions, error notes). It
 * may hold any printable character, but no control character (C0, DEL, C1), no lone UTF-16
 * surrogate (not text at all: it breaks JSON encoders and databases downstream) and no bidi
 * embedding, override or isolate control, which makes text display other than it is stored
 * (U+202E turns "txt.exe" into "exe.txt").
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/** Why `text` is not acceptable free text, or undefined when it is. */
export function freeTextProblem(text: string): string | undefined {
  if (CONTROL.test(text)) return 'must not contain control characters';
  if (!isWellFormed(text)) return 'must not contain lone surrogates';
  if (BIDI_CONTROL.test(text)) return 'must not contain bidi control characters';
  return undefined;
}

function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false;
    const next = text.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/** Free text of `min` to `max` characters. */
export function freeText(min: number, max: number) {
  return z
    .string()
    .min(min, { abort: true })
    .max(max, { abort: true })
    .superRefine((text, ctx) => {
      const problem = freeTextProblem(text);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });
}
