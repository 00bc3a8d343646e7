// A minimal Language Server Protocol client over stdio (JSON-RPC with
// Content-Length framing), enough to drive yaml-language-server as an editor
// would: requests, notifications, answers to the server's own requests
// (workspace/configuration, client/registerCapability) and published
// diagnostics.

import { spawn } from 'node:child_process';

/** How long one answer from the server may take before the test gives up on it
 *  (a guard against a hung server, not a speed assertion). */
const ANSWER_TIMEOUT_MS = 60_000;

export class LspClient {
  /**
   * Starts a server process.
   * @param {string} command program to run
   * @param {string[]} args its arguments (e.g. ['--stdio'])
   * @param {(section: string) => unknown} configuration answers workspace/configuration
   */
  constructor(command, args, configuration) {
    this.configuration = configuration;
    this.nextId = 1;
    this.pending = new Map();
    this.diagnosticWaiters = new Map();
    this.latestDiagnostics = new Map();
    this.buffer = Buffer.alloc(0);
    this.stderr = '';
    this.exited = false;
    this.process = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stdout.on('data', (chunk) => this.receive(chunk));
    this.process.stderr.on('data', (chunk) => {
      this.stderr += chunk.toString();
    });
    this.process.on('exit', (code, signal) => {
      this.exited = true;
      const reason = new Error(`language server exited (code ${code}, signal ${signal}); stderr:\n${this.stderr}`);
      for (const { reject } of this.pending.values()) reject(reason);
      this.pending.clear();
    });
  }

  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const match = /Content-Length: *(\d+)/i.exec(header);
      if (!match) throw new Error(`bad LSP header: ${header}`);
      const length = Number(match[1]);
      const start = headerEnd + 4;
      if (this.buffer.length < start + length) return;
      const body = this.buffer.subarray(start, start + length).toString('utf8');
      this.buffer = this.buffer.subarray(start + length);
      this.dispatch(JSON.parse(body));
    }
  }

  dispatch(message) {
    if (message.id !== undefined && message.method === undefined) {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result);
    } else if (message.id !== undefined) {
      this.answerServerRequest(message);
    } else if (message.method === 'textDocument/publishDiagnostics') {
      const { uri, diagnostics } = message.params;
      this.latestDiagnostics.set(uri, diagnostics);
      const waiters = this.diagnosticWaiters.get(uri) ?? [];
      this.diagnosticWaiters.delete(uri);
      for (const resolve of waiters) resolve(diagnostics);
    }
  }

  answerServerRequest(message) {
    let result = null;
    if (message.method === 'workspace/configuration') {
      result = message.params.items.map((item) => this.configuration(item.section ?? ''));
    }
    this.send({ jsonrpc: '2.0', id: message.id, result });
  }

  send(message) {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.process.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.process.stdin.write(body);
  }

  /** Sends a request and resolves with its result. */
  request(method, params) {
    if (this.exited) return Promise.reject(new Error(`language server is not running (stderr:\n${this.stderr})`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer from the language server`));
      }, ANSWER_TIMEOUT_MS);
      this.pending.set(id, {
        method,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** Sends a notification. */
  notify(method, params) {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Resolves with the next diagnostics the server publishes for `uri`. */
  nextDiagnostics(uri) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics published for ${uri}`)), ANSWER_TIMEOUT_MS);
      const list = this.diagnosticWaiters.get(uri) ?? [];
      list.push((d) => {
        clearTimeout(timer);
        resolve(d);
      });
      this.diagnosticWaiters.set(uri, list);
    });
  }

  /** Shuts the server down politely, then makes sure it is gone. */
  async stop() {
    if (this.exited) return;
    try {
      await this.request('shutdown', null);
      this.notify('exit', null);
    } catch {
      // the server is already gone or hung; kill it below
    }
    await new Promise((resolve) => {
      if (this.exited) return resolve();
      const timer = setTimeout(() => {
        this.process.kill('SIGKILL');
        resolve();
      }, 5_000);
      this.process.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
