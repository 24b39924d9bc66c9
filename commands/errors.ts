// A command's refusal: the Chinese sentence the user reads, the HTTP status a route answers with,
// and the fields it names. Routes answer it as JSON; card actions show it to the clicker.

export class CommandError extends Error {
  constructor(readonly status: number, message: string, readonly fields?: Record<string, string>, readonly extra?: Record<string, unknown>) {
    super(message);
    this.name = 'CommandError';
  }
}
