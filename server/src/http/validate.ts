import type { z } from 'zod';
import { AppError } from './errors';

export type InputPart = 'params' | 'query' | 'body' | 'payload';

export interface FieldIssue {
  in: InputPart;
  path: string;
  message: string;
}

/** Parses one part of a request (or a socket payload) and fails with `validation_failed` + field details. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: FieldIssue[] = result.error.issues.map((issue) => ({
    in: part,
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new AppError('validation_failed', `Invalid ${part === 'payload' ? 'payload' : `request ${part}`}`, { fields });
}
