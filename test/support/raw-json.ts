/**
 * JSON a test takes as it comes and reads or edits field by field: a fake server's answer, a
 * webhook example payload. The test's assertions, and the OpenAPI check where there is one, are
 * what hold it to a shape; typing each field here would only repeat them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fields are read and written at any depth without narrowing, by design
export type RawJson = Record<string, any>;
