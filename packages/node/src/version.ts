/** The @otelkit/node version; packs' `core` ranges are checked against it. Kept in step by a unit test. */
export const VERSION: string = '0.1.0';
