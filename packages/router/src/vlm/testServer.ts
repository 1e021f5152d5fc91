/** For tests: a local OpenAI-compatible chat-completions server on 127.0.0.1, port 0, that hands each parsed request to a handler. */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat completion whose first choice's message content is `content`. */
export const completion = (content: string): string =>
  JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });

export interface ChatRequest {
  readonly path: string;
  /** first path segment: tests route scenarios by URL (`${base}/<scenario>/v1`) */
  readonly scenario: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: any;
}

export interface ChatServer {
  readonly base: string;
  close(): Promise<void>;
}

export async function startChatServer(handle: (req: ChatRequest, res: ServerResponse) => void): Promise<ChatServer> {
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const path = req.url ?? '';
      handle({ path, scenario: path.split('/')[1] ?? '', headers: req.headers, body: JSON.parse(text) }, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
