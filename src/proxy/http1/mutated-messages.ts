/*
 * Test support (not shipped code) for the differential suites: messages made from valid templates by a few
 * single-byte edits (insert, replace or delete) of bytes that parsers disagree about.
 */
import fc from 'fast-check';

export function mutatedMessages(templates: readonly Buffer[], interesting: readonly number[], maxEdits: number): fc.Arbitrary<Buffer<ArrayBuffer>> {
  return fc
    .record({
      template: fc.integer({ min: 0, max: templates.length - 1 }),
      edits: fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom('insert', 'replace', 'delete'), byte: fc.constantFrom(...interesting) }), {
        minLength: 1,
        maxLength: maxEdits,
      }),
    })
    .map(({ template, edits }) => {
      const bytes = [...(templates[template] as Buffer)];
      for (const { at, op, byte } of edits) {
        const i = at % (bytes.length + 1);
        if (op === 'insert') bytes.splice(i, 0, byte);
        else if (op === 'replace') bytes.splice(i, 1, byte);
        else bytes.splice(i, 1);
      }
      return Buffer.from(bytes);
    });
}
