// What one GraphQL operation was and how it ended, as metrics and logs report it: its name, its type and an outcome
// (`success`, or the code of its first error). Only values from a bounded set end up here: an operation name is
// the one the parsed document declares (never a client string that failed to parse), and codes are checked.
import type { OperationDefinitionNode } from 'graphql';

interface OperationOutcome {
  /** The document's operation name; `(anonymous)` for an unnamed one, `(unparsed)` when none was resolved. */
  name: string;
  /** `query`, `mutation`, `subscription`, or `unknown` when the request failed before an operation was resolved. */
  type: string;
  /** `success`, or the first error's code. */
  outcome: string;
  errorCodes: string[];
}

const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** The codes of the errors a client got (`OTHER` for a code that is no code), in order. */
export function errorCodesOf(errors: readonly { readonly extensions?: { readonly [key: string]: unknown } | undefined }[]): string[] {
  return errors.map((error) => {
    const code = error.extensions?.code;
    return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'OTHER';
  });
}

export function operationOutcome(operation: OperationDefinitionNode | undefined, errorCodes: readonly string[]): OperationOutcome {
  return {
    name: operation === undefined ? '(unparsed)' : (operation.name?.value ?? '(anonymous)'),
    type: operation?.operation ?? 'unknown',
    outcome: errorCodes[0] ?? 'success',
    errorCodes: [...errorCodes],
  };
}
