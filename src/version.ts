/**
 * The package's version, for the OpenTelemetry instrumentation scope. A unit test keeps it equal to
 * `package.json`'s.
 */
export const packageVersion = '0.1.0';
