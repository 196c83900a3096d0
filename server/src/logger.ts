import pino, { type Logger } from 'pino';

/** JSON logs; secrets that may travel in headers or bodies are redacted at the source. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'parley' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.password',
          '*.passwordHash',
          '*.token',
          '*.secretKey',
          '*.apiKey',
          '*.secret',
          '*.webhookSecret',
          '*.visitorToken',
          // A demo checkout's token (`?t=`), an invite's: see redactUrl for the same in the path.
          'req.query.t',
          'req.query.token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/**
 * Invite links carry their token in the path (`/api/invites/:token`) and demo checkout links in the
 * query (`?t=`): either lets its holder act, so request logs keep neither.
 */
export function redactUrl(url: string): string {
  return url.replace(/(\/api\/invites\/)[^/?#]+/, '$1[redacted]').replace(/([?&](?:t|token)=)[^&#]*/g, '$1[redacted]');
}

/** For pino-http: its serialised request, with the URL redacted as above. */
export const requestLogSerializer = <R extends { url?: string }>(req: R): R => (req.url ? { ...req, url: redactUrl(req.url) } : req);
