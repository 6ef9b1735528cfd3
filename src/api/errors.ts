/** Errors a route throws on purpose; the error handler turns them into JSON. */

export class ApiError extends Error {
  readonly statusCode: number;
  /** The offending input, e.g. "querystring/since". */
  readonly parameter: string | undefined;

  constructor(statusCode: number, message: string, parameter?: string) {
    super(message);
    this.name = "ApiError";
    this.statusCode = statusCode;
    this.parameter = parameter;
  }
}

/** 400 naming the parameter: the message starts with it, as fastify's validation messages do. */
export function badRequest(parameter: string, problem: string): ApiError {
  return new ApiError(400, `${parameter} ${problem}`, parameter);
}

export function notFound(message: string): ApiError {
  return new ApiError(404, message);
}
