/** Schemas shared by every route: the one error shape. */
import { Type, type Static, type TSchema } from 'typebox';

export const ErrorSchema = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String(),
  },
  { $id: 'Error', description: 'Every 4xx and 5xx answer has this shape.' },
);

export const errorResponses = {
  400: Type.Ref('Error'),
  404: Type.Ref('Error'),
  500: Type.Ref('Error'),
};

/**
 * `T | null`. For a primitive it is one `type: [T, "null"]`: the validator coerces types, and
 * with `anyOf` it would turn a JSON null into "" (string first) or a 0 into null (null first);
 * with a type list it coerces only values that match neither.
 */
export function Nullable<T extends TSchema>(t: T) {
  const type = (t as { type?: unknown }).type;
  if (typeof type === 'string' && ['string', 'number', 'integer', 'boolean'].includes(type)) {
    return Type.Unsafe<Static<T> | null>({ ...t, type: [type, 'null'] });
  }
  return Type.Union([t, Type.Null()]);
}
