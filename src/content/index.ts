export { ContentStore } from './content-store.js';
export { IngestWriter } from './ingest-writer.js';
export type {
  BlobInfo,
  ContentManager,
  ContentReader,
  ContentWriter,
  Ingest,
  IngestStatus,
  OpenWriterOptions,
} from './types.js';
