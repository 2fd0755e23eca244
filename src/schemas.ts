/** Schemas shared by every route: the one error shape. */
import { Type } from 'typebox';

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
