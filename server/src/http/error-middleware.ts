import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, isAppError } from './errors';

/** body-parser's errors carry a `type`; these are the client's fault, never a 500. */
const bodyParserErrors: Record<string, () => AppError> = {
  'entity.parse.failed': () => new AppError('malformed_json', 'The request body is not valid JSON'),
  'entity.too.large': () => new AppError('payload_too_large', 'The request body is too large'),
  'encoding.unsupported': () => new AppError('unsupported_media_type', 'Unsupported content encoding'),
  'charset.unsupported': () => new AppError('unsupported_media_type', 'Unsupported charset'),
  'request.aborted': () => new AppError('bad_request', 'The request was aborted'),
  'request.size.invalid': () => new AppError('bad_request', 'The request body size did not match its header'),
};

function toAppError(err: unknown): AppError | undefined {
  if (isAppError(err)) return err;
  const type = (err as { type?: unknown })?.type;
  if (typeof type === 'string' && bodyParserErrors[type]) return bodyParserErrors[type]();
  return undefined;
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new AppError('route_not_found', `No route for ${req.method} ${req.path}`));
}

/** The one place errors become HTTP: `{ error: { code, message, details? } }`. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const appError = toAppError(err);
    if (!appError) {
      (req.log ?? logger).error({ err }, 'unhandled error');
    }
    const error = appError ?? new AppError('internal', 'Something went wrong on our side');
    if (error.headers) res.set(error.headers);
    res.status(error.status).json({
      error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) },
    });
  };
}
