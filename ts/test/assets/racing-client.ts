// The in-memory DynamoDB with other writers: before the next requests of a command, what
// another request does meanwhile (a change, a delete, or an error thrown instead).
import { FakeDocumentClient } from "../fakes/document-client.js";

export class RacingDocumentClient extends FakeDocumentClient {
  /** By command name (PutCommand, DeleteCommand, ...), what runs before its next requests, in order. */
  readonly meanwhile: Record<string, (() => Promise<unknown> | unknown)[]> = {};

  override async send(command: { input: object; constructor: { name: string } }): Promise<any> {
    await this.meanwhile[command.constructor.name]?.shift()?.();
    return super.send(command);
  }
}
